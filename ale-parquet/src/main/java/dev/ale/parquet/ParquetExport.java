package dev.ale.parquet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.runs.credit.GroupCredit;
import dev.ale.runs.RunStore;
import dev.ale.runs.export.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A run's dataset (what {@code ale export} writes: messages, reward, advantage, per-step credit)
 * as one Parquet file, for trainers that load Parquet. DuckDB reads the JSON lines and writes
 * Parquet, nested lists and structs kept (messages stay a list of {role, content, ...}).
 *
 * <pre>java -jar ale-parquet/target/ale-parquet.jar RUN_DIR [--out FILE] [--gamma G]</pre>
 */
public final class ParquetExport {

    private ParquetExport() {
    }

    /** Writes {@code rows} to {@code out} as Parquet; returns how many rows it wrote. */
    public static long write(List<ObjectNode> rows, Path out) {
        if (rows.isEmpty()) throw new AleException(AleException.Fault.INPUT, "nothing to write: the run has no rewarded episode");
        Path lines = null;
        try {
            lines = Files.createTempFile("ale-dataset", ".jsonl");
            Dataset.write(lines, rows);
            Path target = out.toAbsolutePath();
            Files.deleteIfExists(target);
            try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                 Statement sql = db.createStatement()) {
                // paths go into the SQL text: DuckDB's COPY takes no parameters there, so quote them
                sql.execute("COPY (SELECT * FROM read_json(" + literal(lines) + ", format = 'newline_delimited', "
                        + "sample_size = -1)) TO " + literal(target) + " (FORMAT parquet, COMPRESSION zstd)");
            }
            return rows.size();
        } catch (IOException | SQLException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write Parquet to " + out + ": " + e.getMessage(), e);
        } finally {
            if (lines != null) {
                try {
                    Files.deleteIfExists(lines);
                } catch (IOException e) {
                    // a temporary file left in /tmp is harmless
                }
            }
        }
    }

    private static String literal(Path path) {
        return "'" + path.toString().replace("'", "''") + "'";
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (AleException e) {
            System.err.println("ale-parquet: " + e.getMessage());
            System.exit(e.fault() == AleException.Fault.INPUT ? 2 : 3);
        }
    }

    static int run(String[] args) {
        Path run = null;
        Path out = null;
        double gamma = GroupCredit.DEFAULT_GAMMA;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--gamma" -> {
                    try {
                        gamma = Double.parseDouble(value(args, ++i, "--gamma"));
                    } catch (NumberFormatException e) {
                        throw new AleException(AleException.Fault.INPUT, "--gamma takes a number, was " + args[i]);
                    }
                    if (!(gamma > 0 && gamma <= 1)) throw new AleException(AleException.Fault.INPUT, "--gamma must lie in (0, 1], was " + gamma);
                }
                default -> {
                    if (args[i].startsWith("-") || run != null) {
                        throw new AleException(AleException.Fault.INPUT, "usage: ale-parquet RUN_DIR [--out FILE] [--gamma G]; unexpected " + args[i]);
                    }
                    run = Path.of(args[i]);
                }
            }
        }
        if (run == null) throw new AleException(AleException.Fault.INPUT, "usage: ale-parquet RUN_DIR [--out FILE] [--gamma G]");
        Path file = out == null ? run.resolve("dataset.parquet") : out;
        List<ObjectNode> rows;
        try (RunStore store = RunStore.reopen(run)) {
            rows = Dataset.of(store.lines(), gamma);
        }
        long n = write(rows, file);
        System.out.println(n + " episodes -> " + file);
        return 0;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new AleException(AleException.Fault.INPUT, option + " needs a value");
        return args[i];
    }
}
