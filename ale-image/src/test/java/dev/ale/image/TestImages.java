package dev.ale.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/** Small images made here, from the host's static busybox: no registry but the loopback one is ever needed. */
final class TestImages {

    private TestImages() {
    }

    /** A root with busybox as /bin/sh and friends, a marker os-release, a world-writable /data and /work. */
    static byte[] busyboxRoot(String marker) throws IOException {
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        TarBuilder t = new TarBuilder().dir("bin/", 0755).file("bin/busybox", 0755, busybox);
        for (String tool : new String[] {"sh", "cat", "echo", "ls", "touch", "id", "pwd", "env", "mkdir", "test", "stat", "rm"}) {
            t.symlink("bin/" + tool, "busybox");
        }
        return t.dir("etc/", 0755).file("etc/os-release", 0644, "ID=" + marker + "\n")
                .dir("data/", 0777).dir("work/", 0755).dir("keep/", 0755).file("keep/old", 0644, "lower\n")
                .file("gone", 0644, "lower\n").tar();
    }

    /**
     * A layer with host programs (dynamically linked ones: util-linux's setpriv, shadow's useradd)
     * at their own paths, with the libraries {@code ldd} names for them and the loader.
     */
    static byte[] hostPrograms(String... programs) throws IOException, InterruptedException {
        Set<String> files = new TreeSet<>();
        for (String program : programs) {
            files.add(program);
            Process ldd = new ProcessBuilder("ldd", program).redirectErrorStream(true).start();
            String out = new String(ldd.getInputStream().readAllBytes());
            if (ldd.waitFor() != 0) throw new IOException("ldd " + program + ": " + out);
            for (String line : out.split("\n")) {
                for (String word : line.strip().split("\\s+")) if (word.startsWith("/")) files.add(word);
            }
        }
        TarBuilder t = new TarBuilder();
        Set<String> dirs = new HashSet<>();
        for (String f : files) {
            String rel = f.substring(1);
            for (int i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
                if (dirs.add(rel.substring(0, i + 1))) t.dir(rel.substring(0, i + 1), 0755);
            }
            t.file(rel, 0755, Files.readAllBytes(Path.of(f).toRealPath()));
        }
        return t.tar();
    }

    static ObjectNode config(String env, String workdir) {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.putArray("Env").add("PATH=/bin").add(env);
        c.put("WorkingDir", workdir);
        return c;
    }
}
