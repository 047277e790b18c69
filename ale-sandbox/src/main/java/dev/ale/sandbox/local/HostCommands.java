package dev.ale.sandbox.local;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.core.host.HostTools;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The host tools the local backend relies on (bwrap, ip, mount …), run through {@link HostTools}. */
final class HostCommands {

    static final String PATH = HostTools.PATH;

    /** Tool, and the Debian package that brings it. */
    private static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("bwrap", "bubblewrap");
        REQUIRED.put("ip", "iproute2");
        REQUIRED.put("nsenter", "util-linux");
        REQUIRED.put("setpriv", "util-linux");
        REQUIRED.put("mount", "mount");
        REQUIRED.put("umount", "mount");
    }

    private HostCommands() {
    }

    /** Throws an environment error naming every missing tool and its package, or a missing root. */
    static void checkHost() {
        List<String> missing = HostTools.missing(REQUIRED);
        if (!missing.isEmpty()) {
            throw new SandboxException(Fault.ENVIRONMENT, "the local sandbox backend needs " + String.join(", ", missing)
                    + "; install with: apt-get install -y bubblewrap iproute2 util-linux mount");
        }
        if (!HostTools.isRoot()) {
            throw new SandboxException(Fault.ENVIRONMENT, "the local sandbox backend needs root: it makes network "
                    + "namespaces, cgroups and mounts, then drops every sandbox to its own unprivileged uid; run ale as root");
        }
    }

    /** Runs a host command to completion; throws with its output when it fails. */
    static String run(List<String> argv) {
        HostTools.Result r = tryRun(argv);
        if (!r.ok()) {
            throw new SandboxException(Fault.ENVIRONMENT, String.join(" ", argv) + " failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
        return r.output();
    }

    static HostTools.Result tryRun(List<String> argv) {
        try {
            return HostTools.tryRun(argv, "");
        } catch (SandboxException e) {
            throw e;
        } catch (AleException e) {
            throw new SandboxException(e.fault(), e.getMessage(), e);
        }
    }

    /** True when {@code dir} is a mount point (per /proc/self/mountinfo). */
    static boolean isMountPoint(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : mountinfo()) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * The mount table's lines. Decoded leniently: a mount point whose name is not UTF-8 (anyone's, anywhere on the host)
     * must not make every reader fail, which made a sandbox's teardown skip deleting its directory.
     */
    private static List<String> mountinfo() throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), StandardCharsets.UTF_8).lines().toList();
    }

    private static String unescape(String mountinfoField) {
        return mountinfoField.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
