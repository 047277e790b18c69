package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Picks the cgroup driver from the text of /proc/self/mountinfo. */
final class CgroupMounts {

    static final Path UNIFIED_MOUNT = Path.of("/sys/fs/cgroup");
    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private CgroupMounts() {
    }

    /** cgroup2 at /sys/fs/cgroup wins; otherwise every v1 controller ALE uses must be mounted somewhere. */
    static CgroupDriver driverFor(String mountinfo) {
        Map<String, Path> v1 = new LinkedHashMap<>();
        List<Path> cgroup2 = new ArrayList<>();
        for (String line : mountinfo.lines().toList()) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            List<String> fields = Arrays.asList(line.strip().split(" "));
            int separator = fields.indexOf("-");
            if (separator < 6 || fields.size() < separator + 4) continue;
            Path mountPoint = Path.of(unescape(fields.get(4)));
            String fsType = fields.get(separator + 1);
            if (fsType.equals("cgroup2")) {
                if (mountPoint.equals(UNIFIED_MOUNT)) return new CgroupV2Driver(mountPoint);
                cgroup2.add(mountPoint);
            } else if (fsType.equals("cgroup")) {
                // Super options name the controllers, e.g. "rw,cpu,cpuacct"; the first mount of each is used.
                for (String option : fields.get(separator + 3).split(",")) {
                    if (CgroupV1Driver.CONTROLLERS.contains(option)) v1.putIfAbsent(option, mountPoint);
                }
            }
        }
        List<String> missing = CgroupV1Driver.CONTROLLERS.stream().filter(c -> !v1.containsKey(c)).toList();
        if (missing.isEmpty()) return new CgroupV1Driver(v1);
        throw new SandboxException(Fault.ENVIRONMENT, "no usable cgroups in /proc/self/mountinfo: ALE needs cgroup v2"
                + " mounted at " + UNIFIED_MOUNT + ", or cgroup v1 hierarchies with the controllers "
                + String.join(", ", CgroupV1Driver.CONTROLLERS) + "; found "
                + (v1.isEmpty() ? "no v1 controllers" : "v1 " + v1) + ", missing " + String.join(", ", missing)
                + (cgroup2.isEmpty() ? ", and no cgroup2" : ", and cgroup2 only at " + cgroup2)
                + ". Boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1) or mount the missing v1 controllers,"
                + " e.g. mkdir -p /sys/fs/cgroup/pids && mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids");
    }

    /** mountinfo writes space, tab, newline and backslash in paths as \040, \011, \012, \134. */
    private static String unescape(String field) {
        Matcher m = OCTAL_ESCAPE.matcher(field);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            char c = (char) Integer.parseInt(m.group(1), 8);
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(c)));
        }
        return m.appendTail(out).toString();
    }
}
