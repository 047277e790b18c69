package dev.ale.agent.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.SandboxToolContext;
import dev.ale.core.passport.Passport;
import dev.ale.core.tool.ToolResult;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every standard tool against a real sandbox. */
@Tag("root")
class ToolsTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();
    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxToolContext context;

    @BeforeEach
    void sandbox() {
        context = new SandboxToolContext(sandboxes.sandbox(Passport.defaults()));
    }

    @AfterEach
    void close() {
        context.close();
    }

    private static JsonNode args(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shellSessionKeepsItsWorkingDirectoryAndExportsBetweenCalls() {
        ShellTool shell = new ShellTool();
        shell.call(args("{\"command\":\"mkdir -p sub && cd sub && export GREETING=hi\"}"), context);

        ToolResult r = shell.call(args("{\"command\":\"pwd; echo $GREETING; echo oops >&2; exit 3\"}"), context);

        assertThat(r).isInstanceOf(ToolResult.Observation.class);
        assertThat(r.text()).startsWith("exit code 3").contains("stdout:\n/workspace/sub\nhi\n").contains("stderr:\noops\n");
    }

    @Test
    void shellStopsACommandAtItsTimeoutAndSaysSo() {
        ToolResult r = new ShellTool().call(args("{\"command\":\"sleep 30\",\"timeout_seconds\":1}"), context);

        assertThat(r.text()).contains("stopped at its timeout");
    }

    @Test
    void badArgumentsAreNamedForTheModel() {
        assertThatThrownBy(() -> new ShellTool().call(args("{\"command\":5}"), context))
                .hasMessageContaining("argument `command` must be a string, was number");
        assertThatThrownBy(() -> new ShellTool().call(args("{}"), context)).hasMessageContaining("argument `command` is required");
        assertThatThrownBy(() -> new ReadFileTool().call(args("{\"path\":\"x\",\"limit\":0}"), context))
                .hasMessageContaining("`limit` must lie in [1, 10000], was 0");
    }

    @Test
    void writeThenReadShowsNumberedLinesAndPagesThroughLongFiles() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 1000; i++) text.append("line ").append(i).append('\n');
        ToolResult written = new WriteFileTool().call(JSON.createObjectNode().put("path", "deep/er/file.txt").put("content", text.toString()), context);

        ToolResult first = new ReadFileTool().call(args("{\"path\":\"deep/er/file.txt\"}"), context);
        ToolResult window = new ReadFileTool().call(args("{\"path\":\"/workspace/deep/er/file.txt\",\"offset\":998,\"limit\":5}"), context);

        assertThat(written.text()).contains("wrote " + text.length() + " bytes to /workspace/deep/er/file.txt");
        assertThat(first.text()).contains("     1\tline 1\n").contains("   400\tline 400\n").doesNotContain("line 401\n")
                .contains("[lines 401-1000 not shown; use offset]");
        assertThat(window.text()).isEqualTo("   998\tline 998\n   999\tline 999\n  1000\tline 1000\n");
    }

    @Test
    void readingAMissingOrBinaryFileFailsWithTheReason() {
        context.files().write("/workspace/blob", new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1});

        ToolResult binary = new ReadFileTool().call(args("{\"path\":\"blob\"}"), context);

        assertThat(binary).isInstanceOf(ToolResult.Failure.class);
        assertThat(binary.text()).contains("not UTF-8 text (4 bytes)");
        assertThatThrownBy(() -> new ReadFileTool().call(args("{\"path\":\"nope.txt\"}"), context)).hasMessageContaining("nope.txt");
    }

    @Test
    void editReplacesExactlyOneOccurrenceAndRefusesMissingOrAmbiguousText() {
        context.files().write("/workspace/calc.c", "int add(int a, int b) { return a - b; }\nint x = 1;\nint y = 1;\n".getBytes(StandardCharsets.UTF_8));
        EditTool edit = new EditTool();

        ToolResult fixed = edit.call(args("{\"path\":\"calc.c\",\"old_string\":\"return a - b;\",\"new_string\":\"return a + b;\"}"), context);
        ToolResult missing = edit.call(args("{\"path\":\"calc.c\",\"old_string\":\"return a * b;\",\"new_string\":\"x\"}"), context);
        ToolResult ambiguous = edit.call(args("{\"path\":\"calc.c\",\"old_string\":\" = 1;\",\"new_string\":\" = 2;\"}"), context);
        ToolResult all = edit.call(args("{\"path\":\"calc.c\",\"old_string\":\" = 1;\",\"new_string\":\" = 2;\",\"replace_all\":true}"), context);

        assertThat(fixed.text()).contains("replaced 1 occurrence in /workspace/calc.c");
        assertThat(missing).isInstanceOf(ToolResult.Failure.class);
        assertThat(missing.text()).contains("was not found");
        assertThat(ambiguous).isInstanceOf(ToolResult.Failure.class);
        assertThat(ambiguous.text()).contains("occurs 2 times");
        assertThat(all.text()).contains("replaced 2 occurrences");
        assertThat(new String(context.files().read("/workspace/calc.c"), StandardCharsets.UTF_8))
                .isEqualTo("int add(int a, int b) { return a + b; }\nint x = 2;\nint y = 2;\n");
    }

    @Test
    void listDirShowsKindsAndSizes() {
        context.files().write("/workspace/a.txt", "12345".getBytes(StandardCharsets.UTF_8));
        context.files().write("/workspace/src/main.c", "x".getBytes(StandardCharsets.UTF_8));

        ToolResult r = new ListDirTool().call(args("{}"), context);

        assertThat(r.text()).startsWith("/workspace:\n").containsPattern("file +5 a.txt\n").containsPattern("dir +\\d+ src/\n");
    }

    @Test
    void searchFindsMatchesWithFileAndLineAndSaysWhenThereAreNone() {
        context.files().write("/workspace/src/a.py", "def f():\n    return 42  # TODO\n".getBytes(StandardCharsets.UTF_8));
        context.files().write("/workspace/notes.md", "todo: nothing\n".getBytes(StandardCharsets.UTF_8));

        ToolResult hits = new SearchTool().call(args("{\"pattern\":\"TODO\",\"ignore_case\":true,\"glob\":\"*.py\"}"), context);
        ToolResult none = new SearchTool().call(args("{\"pattern\":\"^zzz\"}"), context);
        ToolResult dashPattern = new SearchTool().call(args("{\"pattern\":\"--version\"}"), context);

        assertThat(hits.text()).isEqualTo("/workspace/src/a.py:2:    return 42  # TODO\n");
        assertThat(none.text()).startsWith("no matches for /^zzz/");
        assertThat(dashPattern.text()).startsWith("no matches for /--version/");
    }

    @Test
    void fetchTakesOnlyHttpUrls() {
        ToolResult file = new FetchTool().call(args("{\"url\":\"file:///etc/passwd\"}"), context);
        ToolResult relative = new FetchTool().call(args("{\"url\":\"index.html\"}"), context);

        assertThat(file).isInstanceOf(ToolResult.Failure.class);
        assertThat(file.text()).contains("only http:// and https:// URLs, not file://");
        assertThat(relative.text()).contains("not a relative one");
    }

    @Test
    void finishCarriesTheSummary() {
        ToolResult r = new FinishTool().call(args("{\"summary\":\"fixed the overflow\"}"), context);

        assertThat(r).isEqualTo(new ToolResult.Finished("fixed the overflow"));
    }
}
