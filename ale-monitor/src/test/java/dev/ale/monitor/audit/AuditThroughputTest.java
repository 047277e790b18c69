package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ten thousand appends in a row: one valid chain; the rate is printed, not asserted (it depends on the disk). */
class AuditThroughputTest {

    @TempDir
    Path dir;

    @Test
    void tenThousandAppendsInARowVerifyAsOneChain() {
        int count = 10_000;
        try (AuditLog log = AuditLog.open(dir.resolve("audit.db"))) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                log.append("step", "sb-" + (i % 16), Optional.of("ep-" + (i % 128)), OptionalInt.of(i),
                        Optional.of("rule-" + (i % 7)), Optional.of("probe"),
                        Map.of("tool", "shell", "argv", "curl http://203.0.113.9/" + i, "exit", 0));
            }
            long appendNanos = System.nanoTime() - start;
            start = System.nanoTime();
            VerifyReport report = log.verify();
            long verifyNanos = System.nanoTime() - start;

            System.out.printf("audit log: %d appends in %d ms = %.0f appends/s (%.1f us each); verify %d ms%n",
                    count, appendNanos / 1_000_000, count / (appendNanos / 1e9), appendNanos / 1e3 / count,
                    verifyNanos / 1_000_000);
            assertThat(report.ok()).as("%s", report.problems()).isTrue();
            assertThat(report.checked()).isEqualTo(count);
        }
    }
}
