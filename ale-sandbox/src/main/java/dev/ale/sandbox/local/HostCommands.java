package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the well-known host tools ALE relies on (ip, mount, umount), always with argument lists. */
final class HostCommands {

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Tool, and the Debian package that brings it. */
    private static final List<String[]> REQUIRED = List.of(
            new String[] {"bwrap", "bubblewrap"},
            new String[] {"ip", "iproute2"},
            new String[] {"nsenter", "util-linux"},
            new String[] {"setpriv", "util-linux"},
            new String[] {"mount", "mount"},
            new String[] {"umount", "mount"});

    private HostCommands() {
    }

    /** Throws an environment error naming every missing tool and its package, or a missing root. */
    static void checkHost() {
        List<String> missing = new ArrayList<>();
        for (String[] tool : REQUIRED) {
            if (find(tool[0]) == null) missing.add(tool[0] + " (Debian package " + tool[1] + ")");
        }
        if (!missing.isEmpty()) {
            throw new SandboxException(Fault.ENVIRONMENT, "the local sandbox backend needs " + String.join(", ", missing)
                    + "; install with: apt-get install -y bubblewrap iproute2 util-linux mount");
        }
        if (!isRoot()) {
            throw new SandboxException(Fault.ENVIRONMENT, "the local sandbox backend needs root: it makes network "
                    + "namespaces, cgroups and mounts, then drops every sandbox to its own unprivileged uid; run ale as root");
        }
    }

    static Path find(String tool) {
        for (String dir : PATH.split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Runs a host command to completion; throws with its stderr when it fails. */
    static String run(List<String> argv) {
        Result r = tryRun(argv);
        if (r.exitCode != 0) {
            throw new SandboxException(Fault.ENVIRONMENT, String.join(" ", argv) + " failed (exit " + r.exitCode + "): "
                    + r.output.strip());
        }
        return r.output;
    }

    record Result(int exitCode, String output) {
    }

    static Result tryRun(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", PATH);
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(Fault.ENVIRONMENT, "interrupted while running " + argv.getFirst(), e);
        }
    }

    /** True when {@code dir} is a mount point (per /proc/self/mountinfo). */
    static boolean isMountPoint(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** True when {@code dir} or anything below it is a mount point. */
    static boolean hasMountsUnder(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    String m = unescape(f[4]);
                    if (m.equals(target) || m.startsWith(target + "/")) return true;
                }
            }
        } catch (IOException e) {
            return true;
        }
        return false;
    }

    private static String unescape(String mountinfoField) {
        return mountinfoField.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
