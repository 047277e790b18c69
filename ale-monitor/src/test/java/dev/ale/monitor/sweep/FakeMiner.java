package dev.ale.monitor.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in miner built with the machine's gcc at test time: an ELF that carries the strings a
 * real miner's build does (its banner, the stratum scheme and methods, its donation option, its
 * algorithm) and only sleeps. It never connects anywhere.
 */
public final class FakeMiner {

    private static final String SOURCE = """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (argc > 5) printf("XMRig 6.21.0 stratum+tcp://%s mining.subscribe --donate-level=%d RandomX\\n", argv[1], 1);
                sleep(argc > 1 ? 60 : 30);
                return 0;
            }
            """;

    private FakeMiner() {
    }

    /** The fake miner, built as {@code dir/name}. */
    public static Path build(Path dir, String name) throws IOException, InterruptedException {
        return compile(dir, name, SOURCE);
    }

    /** Any C program, built with gcc as {@code dir/name}. */
    public static Path compile(Path dir, String name, String source) throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source, StandardCharsets.UTF_8);
        Path out = dir.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", out.toString(), c.toString()).redirectErrorStream(true).start();
        String said = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) throw new IOException("gcc could not build " + name + ": " + said);
        return out;
    }
}
