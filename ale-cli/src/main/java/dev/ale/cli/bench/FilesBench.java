package dev.ale.cli.bench;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The file API in a sandbox already up, as an agent's write_file and read_file reach it: a 4 KiB
 * write and its read through the resident init's own WRITE and READ, against the same through the
 * shell script (sh, realpath, cat) the API ran before, in one sandbox, the four taking turns.
 */
final class FilesBench {

    /** What one operation writes: the size of a typical source file an agent writes. */
    static final int SIZE = 4096;

    record Result(int runs, int warmup, Samples initWrite, Samples shellWrite, Samples initRead, Samples shellRead) {
    }

    private final LocalSandboxBackend backend;

    /** {@code backend}: on the resident-init exec path (the other path has only the script). */
    FilesBench(LocalSandboxBackend backend) {
        this.backend = backend;
    }

    Result run(int runs, int warmup) {
        Samples initWrite = new Samples(runs);
        Samples shellWrite = new Samples(runs);
        Samples initRead = new Samples(runs);
        Samples shellRead = new Samples(runs);
        byte[] content = new byte[SIZE];
        ThreadLocalRandom.current().nextBytes(content);
        Sandbox sandbox = backend.create(SandboxRequest.of(Passport.defaults()));
        try {
            SandboxFiles init = sandbox.files();
            SandboxFiles shell = backend.filesByShell(sandbox);
            for (int i = 0; i < warmup + runs; i++) {
                boolean measured = i >= warmup;
                // which goes first alternates, so neither always runs on the other's warm caches
                SandboxFiles first = i % 2 == 0 ? init : shell;
                SandboxFiles second = first == init ? shell : init;
                for (SandboxFiles f : new SandboxFiles[] {first, second}) {
                    String path = "bench/" + (f == init ? "init" : "shell") + ".bin";
                    long t0 = System.nanoTime();
                    f.write(path, content);
                    long t1 = System.nanoTime();
                    byte[] back = f.read(path);
                    long t2 = System.nanoTime();
                    if (!Arrays.equals(back, content)) throw new IllegalStateException("read back other bytes than written at " + path);
                    if (measured) {
                        (f == init ? initWrite : shellWrite).add(t1 - t0);
                        (f == init ? initRead : shellRead).add(t2 - t1);
                    }
                }
            }
        } finally {
            sandbox.destroy();
        }
        return new Result(runs, warmup, initWrite, shellWrite, initRead, shellRead);
    }
}
