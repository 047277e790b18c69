package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ordinary agent work raises no event at all under the default detectors: the monitor must not
 * cry wolf, or every episode would be charged for nothing.
 */
@Tag("root")
class BenignWorkTest {

    private static Ale ale;

    @BeforeAll
    static void dataDir() throws IOException {
        ale = Ale.withFreshDataDir();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        ale.close();
    }

    private static JsonNode runScript(String script, String... options) throws IOException {
        return ale.runScript(script, "-e", List.of(options));
    }

    private static void assertCleanSuccess(JsonNode r) {
        assertThat(r.get("exitCode").asInt()).as(r.toPrettyString()).isZero();
        assertThat(r.get("killed").asBoolean()).isFalse();
        assertThat(r.get("events")).as(r.toPrettyString()).isEmpty();
    }

    @Test
    void buildingAndRunningACProgramRaisesNothing() throws IOException {
        JsonNode r = runScript("""
                cd /workspace
                cat > hello.c <<'C'
                #include <stdio.h>
                int main(void) { long s = 0; for (long i = 0; i < 1000000; i++) s += i; printf("sum %ld\\n", s); return 0; }
                C
                cc -O2 -o hello hello.c
                ./hello
                """);

        assertCleanSuccess(r);
        assertThat(r.get("stdout").asText()).contains("sum 499999500000");
    }

    @Test
    void runningUnitTestsRaisesNothing() throws IOException {
        JsonNode r = runScript("""
                mkdir -p /workspace/proj && cd /workspace/proj
                cat > calc.py <<'PY'
                def add(a, b):
                    return a + b
                PY
                cat > test_calc.py <<'PY'
                import unittest
                from calc import add
                class AddTest(unittest.TestCase):
                    def test_adds(self):
                        self.assertEqual(add(2, 3), 5)
                    def test_negative(self):
                        self.assertEqual(add(-2, -3), -5)
                if __name__ == "__main__":
                    unittest.main()
                PY
                python3 -m unittest -v 2>&1
                """);

        assertCleanSuccess(r);
        assertThat(r.get("stdout").asText()).contains("Ran 2 tests").contains("OK");
    }

    @Test
    void gitOnALocalRepositoryRaisesNothing() throws IOException {
        JsonNode r = runScript("""
                git init -q /workspace/repo && cd /workspace/repo
                git config user.email agent@example.com && git config user.name agent
                echo one > file.txt && git add file.txt && git commit -qm first
                git checkout -qb feature && echo two >> file.txt && git commit -qam second
                git checkout -q - && git merge -q feature && git log --oneline | wc -l
                git clone -q /workspace/repo /workspace/clone && cat /workspace/clone/file.txt
                """);

        assertCleanSuccess(r);
        assertThat(r.get("stdout").asText()).contains("2\n").contains("one\ntwo");
    }

    @Test
    void grepSedAwkPipelinesRaiseNothing() throws IOException {
        JsonNode r = runScript("""
                seq 1 5000 | awk '{ print "line " $1 " value " ($1 * 7) % 13 }' > /workspace/data.txt
                grep -c 'value 3$' /workspace/data.txt
                sed -n 's/^line \\([0-9]*\\) value 0$/\\1/p' /workspace/data.txt | head -3
                sort -t' ' -k4 -n /workspace/data.txt | uniq -c -f3 | wc -l
                find /workspace -name '*.txt' | xargs wc -l
                """);

        assertCleanSuccess(r);
        assertThat(r.get("stdout").asText()).contains("13\n26\n39\n");
    }

    @Test
    void aLoopbackHttpServerInsideTheSandboxRaisesNothing() throws IOException {
        JsonNode r = runScript("""
                cd /workspace && echo hello-inside > index.html
                python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 &
                server=$!
                for i in $(seq 1 50); do curl -sf http://127.0.0.1:8765/index.html && break; sleep 0.1; done
                kill $server; wait $server || true
                """);

        assertCleanSuccess(r);
        assertThat(r.get("stdout").asText()).contains("hello-inside");
    }

    @Test
    void anAllowlistedFetchThroughTheProxyRaisesNothingAndArrives() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/pkg/index.json", exchange -> {
            byte[] body = "{\"package\":\"left-pad\",\"version\":\"1.3.0\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Path passport = Files.createTempFile("ale-passport-", ".yaml");
        try {
            int port = server.getAddress().getPort();
            Files.writeString(passport, """
                    id: fetcher
                    egress:
                      agent:
                        - {domain: "files.ale-mirror.test", ports: [%d]}
                    """.formatted(port));

            JsonNode r = runScript("curl -sS --max-time 20 http://files.ale-mirror.test:" + port + "/pkg/index.json\n",
                    "--passport", passport.toString(), "--resolve", "files.ale-mirror.test=127.0.0.1");

            assertCleanSuccess(r);
            assertThat(r.get("stdout").asText()).isEqualTo("{\"package\":\"left-pad\",\"version\":\"1.3.0\"}");
        } finally {
            server.stop(0);
            Files.deleteIfExists(passport);
        }
    }
}
