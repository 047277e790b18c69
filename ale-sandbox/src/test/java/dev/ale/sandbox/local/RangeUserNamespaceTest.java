package dev.ale.sandbox.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The user namespace of a sandbox's uid range is made, limited and bound every time, not most times. */
@Tag("root")
class RangeUserNamespaceTest {

    /** A range well above the ones this machine's sandboxes take. */
    private static final int BASE = 1_900_000_000;

    @Test
    void fourHundredNamespacesMadeFourAtATimeAreEachLimitedAndLeaveNothingBound(@TempDir Path dir) throws Exception {
        // the maps were once written while unshare still raised its capabilities, and about one make in a hundred
        // failed with its shell unable to set the limit (Permission denied): reproduced by a shell loop, which this repeats
        try (ExecutorService four = Executors.newFixedThreadPool(4)) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                all.add(four.submit(() -> {
                    for (int i = 0; i < 100; i++) makeAndRemove(dir.resolve("userns-" + thread + "-" + i), BASE + thread * 65_536);
                    return null;
                }));
            }
            for (Future<?> f : all) f.get();
        }
    }

    private static void makeAndRemove(Path file, int base) {
        try {
            RangeUserNamespace.make(file, base, 65_536, 0, 0);
            assertThat(HostCommands.isMountPoint(file)).as("%s binds its namespace", file).isTrue();
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e.getMessage(), e);
        } finally {
            assertThat(RangeUserNamespace.remove(file)).as("remove %s", file).isEmpty();
        }
        assertThat(Files.exists(file)).isFalse();
    }
}
