package dev.ale.monitor.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.LockSupport;

/**
 * A second OS process for {@link AuditConcurrencyTest}: opens the log, says "ready", waits for
 * the go file, then appends {@code count} records under its own sandbox name.
 */
final class AppendingProcess {

    public static void main(String[] args) throws InterruptedException {
        Path file = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        String name = args[2];
        Path go = Path.of(args[3]);
        try (AuditLog log = AuditLog.open(file)) {
            System.out.println("ready");
            System.out.flush();
            while (!Files.exists(go)) {
                Thread.sleep(1);
            }
            for (int i = 0; i < count; i++) {
                log.append("step", name, Optional.empty(), OptionalInt.of(i), Optional.empty(), Optional.empty(),
                        Map.of("i", i));
                // Real writers pause between records; without pauses one process can hold the
                // lock for its whole run and the other would only ever append after it.
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
