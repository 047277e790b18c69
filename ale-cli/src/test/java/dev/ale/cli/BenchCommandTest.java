package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Only the shape of the report: timings depend on the machine and are never asserted. */
@Tag("root")
class BenchCommandTest {

    @Test
    void benchImageWithTinyNumbersReportsEachFigureAndLeavesTheStoreAsItFoundIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.ale.core.host.HostTools.find("docker-registry").isPresent(),
                "docker-registry is not installed");
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result r = ale.run("bench", "image", "--runs", "2", "--warmup", "0", "--sandboxes", "3", "--content", "usr/share/doc/bash");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("pull + unpack, cold:", "pull again (cached):", "  host root", "  image, root inside (idmapped layers)",
                    "  image, USER 1000", "disk, 3 sandboxes of the image up: image layers");
            assertThat(ale.run("image", "ls", "--json").out()).doesNotContain("ale-bench");
            try (var layers = java.nio.file.Files.list(ale.dataDir().resolve("images/layers"))) {
                assertThat(layers).isEmpty();
            }
            assertThat(ale.listed()).isEmpty();
        }
    }

    @Test
    void benchWithTinyNumbersPrintsEveryFieldAsJson() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result r = ale.run("bench", "sandbox", "--runs", "5", "--concurrent", "5", "--warmup", "2", "--json");

            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            JsonNode latency = json.get("latency");
            assertThat(latency.get("runs").asInt()).isEqualTo(5);
            for (String kind : new String[] {"bwrap", "fork"}) {
                assertThat(latency.get(kind).get("p50Ms").isNumber()).as(kind).isTrue();
                assertThat(latency.get(kind).get("p99Ms").isNumber()).as(kind).isTrue();
            }
            assertThat(latency.get("ratios").get("bwrapOverForkP50").isNumber()).isTrue();
            // the per-call path always, the resident init's beside it when this build has the init
            assertThat(latency.get("paths").has("per-call")).isTrue();
            latency.get("paths").properties().forEach(path -> {
                JsonNode p = path.getValue();
                for (String kind : new String[] {"ale", "liveExec", "session"}) {
                    assertThat(p.get(kind).get("p50Ms").isNumber()).as(path.getKey() + " " + kind).isTrue();
                }
                for (String phase : new String[] {"create", "exec", "destroy"}) {
                    assertThat(p.get("aleBreakdown").get(phase).get("p50Ms").isNumber()).as(path.getKey() + " " + phase).isTrue();
                }
                assertThat(p.get("ratios").get("aleOverBwrapP50").isNumber()).as(path.getKey()).isTrue();
                assertThat(p.get("ratios").get("liveExecOverForkP50").isNumber()).as(path.getKey()).isTrue();
            });

            // the file API's two routes, when this build has the init (the per-call path has only the script)
            if (latency.get("paths").has("resident")) {
                JsonNode files = json.get("files");
                assertThat(files.get("runs").asInt()).isEqualTo(5);
                for (String kind : new String[] {"initWrite", "shellWrite", "initRead", "shellRead"}) {
                    assertThat(files.get(kind).get("p50Ms").isNumber()).as(kind).isTrue();
                }
                assertThat(files.get("writeInitOverShellP50").isNumber()).isTrue();
            } else {
                assertThat(json.has("files")).isFalse();
            }

            JsonNode concurrency = json.get("concurrency");
            assertThat(concurrency.get("sandboxes").asInt()).isEqualTo(5);
            assertThat(concurrency.get("ready").asInt()).isEqualTo(5);
            assertThat(concurrency.get("errors")).isEmpty();
            assertThat(concurrency.get("leftBehind").asInt()).isZero();
            for (String field : new String[] {"allReadyMs", "memAvailableBeforeBytes", "memAvailableWithAllUpBytes",
                    "sandboxCgroupMemoryBytes", "memoryBeyondShellsBytes", "destroyAllMs"}) {
                assertThat(concurrency.get(field).isIntegralNumber()).as(field).isTrue();
            }
            assertThat(ale.listed()).isEmpty();
        }
    }

    @Test
    void scaleBenchWithTinyNumbersReadiesEveryShellRunsTheActiveOnesAndLeavesNothing() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result r = ale.run("bench", "scale", "--sandboxes", "3", "--active", "2", "--creators", "2", "--json");

            assertThat(r.exit()).as(r.err() + r.out()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("sandboxes").asInt()).isEqualTo(3);
            assertThat(json.get("ready").asInt()).isEqualTo(3);
            assertThat(json.get("active").get("commands").asInt()).isEqualTo(2);
            assertThat(json.get("active").get("ok").asInt()).isEqualTo(2);
            // the active command sleeps a second, so its calls cannot be faster than that
            assertThat(json.get("active").get("p50Ms").asDouble()).isGreaterThanOrEqualTo(1000);
            assertThat(json.get("errorCount").asInt()).as(json.toString()).isZero();
            assertThat(json.get("leftBehind").get("total").asInt()).as(json.toString()).isZero();
            // the JVM's threads are counted (how many depends on the exec path), and the table has the shells' rules
            assertThat(json.get("allUp").get("jvmThreads").asInt()).isPositive();
            assertThat(json.get("allUp").get("nftTableLines").asInt()).isGreaterThan(json.get("before").get("nftTableLines").asInt());
            for (String field : new String[] {"allReadyMs", "sandboxCgroupMemoryBytes", "hostMemoryPerSandboxBytes", "destroyAllMs"}) {
                assertThat(json.get(field).isIntegralNumber()).as(field).isTrue();
            }
            assertThat(json.get("idle").get("monitorSweepCores").isNumber()).isTrue();
            assertThat(ale.listed()).isEmpty();
        }
    }

    @Test
    void gemBenchWithTinyNumbersReportsBothSidesAndLeavesNoSandbox() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result r = ale.run("bench", "gem", "--steps", "5", "--warmup", "1", "--envs", "2", "--seconds", "1", "--rounds", "1",
                    "--json");

            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(r.out());
            JsonNode latency = json.get("latency");
            assertThat(latency.get("steps").asInt()).isEqualTo(5);
            for (String kind : new String[] {"inProcess", "http", "roundTrip"}) {
                for (String p : new String[] {"p50Ms", "p90Ms", "p99Ms"}) {
                    assertThat(latency.get(kind).get(p).asDouble()).as(kind + " " + p).isPositive();
                }
            }
            assertThat(latency.get("addedP50Ms").isNumber()).isTrue();
            assertThat(latency.get("ratioP50").isNumber()).isTrue();
            assertThat(latency.get("targetMet").isBoolean()).isTrue();

            JsonNode throughput = json.get("throughput");
            assertThat(throughput.get("envs").asInt()).isEqualTo(2);
            assertThat(throughput.get("rounds").asInt()).isEqualTo(1);
            for (String side : new String[] {"inProcess", "http"}) {
                assertThat(throughput.get(side).get("steps").asLong()).as(side).isPositive();
                assertThat(throughput.get(side).get("stepsPerSecond").asDouble()).as(side).isPositive();
            }
            assertThat(throughput.get("ratio").isNumber()).isTrue();
            assertThat(ale.listed()).isEmpty();
        }
    }

    @Test
    void gemBenchWithNoEnvironmentsIsAUsageError() {
        Ale.Result r = Ale.runWithoutDataDir("bench", "gem", "--envs", "0");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--envs").contains("0 is less than 1");
    }
}
