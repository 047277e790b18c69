package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.RunFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The host reads what a process runs through the process's own links, and never through a link of the process's making. */
class ProcessFilesTest {

    @TempDir
    Path dir;

    private final ProcessFiles files = ProcessFiles.host();

    private static ProcessSnapshot self() {
        return ProcessReader.host().read(ProcessHandle.current().pid()).orElseThrow();
    }

    @Test
    void theExecutableIsReadThroughTheProcessesOwnLinkWithItsIdentity() {
        ProcessSnapshot me = self();
        RunFile exe = files.executable(me, 4096).orElseThrow();
        assertThat(Arrays.copyOf(exe.head(), 4)).containsExactly(0x7f, 'E', 'L', 'F');
        assertThat(exe.head()).hasSize(4096);
        assertThat(exe.size()).isGreaterThan(4096);
        assertThat(files.executableIdentity(me)).contains(exe.identity());
    }

    @Test
    void aPidThatNoLongerBelongsToTheSnapshotsProcessGivesNothing() {
        ProcessSnapshot me = self();
        ProcessSnapshot older = new ProcessSnapshot(me.pid(), me.parentPid(), me.sessionId(), me.startTicks() - 1, me.name(), me.argv(),
                me.cpuTime(), me.openFiles(), me.stdioSockets(), me.role(), me.exe());
        assertThat(files.executableIdentity(older)).isEmpty();
        assertThat(files.executable(older, 16)).isEmpty();
    }

    @Test
    void aScriptIsReadByItsPathAsTheProcessSeesItButNotThroughALinkOrAboveItsWorkingDirectory() throws Exception {
        Path script = Files.writeString(dir.resolve("job.py"), "print('hi')\n", StandardCharsets.UTF_8);
        Path link = Files.createSymbolicLink(dir.resolve("link.py"), script);
        Path linkedDir = Files.createSymbolicLink(dir.resolve("d"), dir);
        ProcessSnapshot me = self();

        Optional<RunFile> read = files.script(me, script.toString(), 1 << 20);
        assertThat(read).hasValueSatisfying(f -> {
            assertThat(new String(f.head(), StandardCharsets.UTF_8)).isEqualTo("print('hi')\n");
            assertThat(f.path()).isEqualTo(script.toString());
        });
        assertThat(files.script(me, dir + "/sub/../job.py", 1 << 20)).isPresent();
        assertThat(files.script(me, link.toString(), 1 << 20)).as("a link as the script").isEmpty();
        assertThat(files.script(me, linkedDir + "/job.py", 1 << 20)).as("a link on the way").isEmpty();
        assertThat(files.script(me, "../" + dir.getFileName() + "/job.py", 1 << 20)).as("above the working directory").isEmpty();
        assertThat(files.script(me, dir.toString(), 1 << 20)).as("a directory").isEmpty();
    }
}
