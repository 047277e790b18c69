package dev.ale.cluster;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsTest {

    @Test
    void everyNodesSamplesAreLabelledAndKeptUnderOneFamilyHeader() {
        Metrics m = new Metrics();
        m.gauge("ale_cluster_nodes", "nodes", "state", Map.of("ready", 2));
        String node = """
                # HELP ale_sandboxes_active sandboxes alive
                # TYPE ale_sandboxes_active gauge
                ale_sandboxes_active 3.0
                # HELP ale_exec_duration_seconds exec
                # TYPE ale_exec_duration_seconds histogram
                ale_exec_duration_seconds_bucket{le="0.1"} 1
                ale_exec_duration_seconds_count 1
                """;
        m.node("n1", node);
        m.node("n2", node.replace("3.0", "5.0"));
        String text = m.text();
        assertThat(text).contains("ale_cluster_nodes{state=\"ready\"} 2\n");
        assertThat(text).containsOnlyOnce("# TYPE ale_sandboxes_active gauge");
        assertThat(text).contains("# TYPE ale_sandboxes_active gauge\nale_sandboxes_active{node=\"n1\"} 3.0\nale_sandboxes_active{node=\"n2\"} 5.0\n");
        assertThat(text).contains("ale_exec_duration_seconds_bucket{node=\"n1\",le=\"0.1\"} 1");
        assertThat(text).contains("ale_exec_duration_seconds_count{node=\"n2\"} 1");
    }
}
