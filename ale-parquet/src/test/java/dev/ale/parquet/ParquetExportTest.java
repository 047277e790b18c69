package dev.ale.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.runs.export.Dataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A run's dataset written as Parquet and read back: a real Parquet file, every row, nested messages kept. */
class ParquetExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode line(String episode, double total) throws Exception {
        return JSON.readTree("""
                {"episode": "%s", "task": "t", "policy": "replay",
                 "messages": [{"role": "system", "content": "be good"}, {"role": "user", "content": "do it"},
                              {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
                                "function": {"name": "shell", "arguments": "{\\"command\\": \\"ls\\"}"}}]},
                              {"role": "tool", "content": "a b", "tool_call_id": "c1", "name": "shell"}],
                 "reward": {"score": 1, "penalty": 0, "killed": false, "total": %s}, "steps": [{"index": 1, "reward": %s}]}
                """.formatted(episode, total, total));
    }

    @Test
    void aRunsDatasetBecomesAParquetFileWithEveryRowAndItsNestedMessages() throws Exception {
        List<ObjectNode> rows = Dataset.of(List.of(line("e0", 1.0), line("e1", -1.0)), 0.95);
        Path out = dir.resolve("dataset.parquet");

        long written = ParquetExport.write(rows, out);

        assertThat(written).isEqualTo(2);
        byte[] bytes = Files.readAllBytes(out);
        assertThat(new String(Arrays.copyOfRange(bytes, 0, 4), StandardCharsets.US_ASCII)).isEqualTo("PAR1");
        assertThat(new String(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length), StandardCharsets.US_ASCII)).isEqualTo("PAR1");
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement sql = db.createStatement();
             ResultSet r = sql.executeQuery("SELECT episode, advantage, messages[2].role, messages[3].tool_calls[1].function.name, "
                     + "len(steps) FROM read_parquet('" + out + "') ORDER BY episode")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("e0");
            assertThat(r.getDouble(2)).isCloseTo(1.0, within(1e-9));
            assertThat(r.getString(3)).isEqualTo("user");
            assertThat(r.getString(4)).isEqualTo("shell");
            assertThat(r.getInt(5)).isEqualTo(1);
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("e1");
            assertThat(r.getDouble(2)).isCloseTo(-1.0, within(1e-9));
            assertThat(r.next()).isFalse();
        }
    }

    @Test
    void theCommandLineNamesWhatIsWrong() {
        assertThat(catchExit(new String[] {})).contains("usage: ale-parquet RUN_DIR");
        assertThat(catchExit(new String[] {dir.toString(), "--gamma", "2"})).contains("--gamma must lie in (0, 1], was 2.0");
        assertThat(catchExit(new String[] {dir.resolve("nope").toString()})).contains("is not a run directory");
    }

    private static String catchExit(String[] args) {
        try {
            ParquetExport.run(args);
            return "";
        } catch (dev.ale.core.AleException e) {
            return e.getMessage();
        }
    }
}
