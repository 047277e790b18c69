package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupDetectionTest {

    /** Copied from /proc/self/mountinfo of a CI host: v1 controllers, each on its own, plus a controllerless cgroup2. */
    private static final String V1_HYBRID = """
            29 1 253:0 / / rw,relatime - ext4 /dev/vda rw
            30 29 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw,size=12341248k,nr_inodes=3085312,mode=755
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    /** systemd's hybrid layout: cpu and cpuacct share one hierarchy, optional fields before the separator. */
    private static final String V1_SYSTEMD = """
            25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
            27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
            31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
            32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory
            33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
            34 25 0:31 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,freezer
            35 25 0:32 / /sys/fs/cgroup/net\\040cls rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,net_cls
            """;

    private static final String PURE_V2 = """
            22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
            26 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    private static final String NO_CGROUPS = """
            22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
            23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
            """;

    @Test
    void aHybridHostWithSeparateV1ControllersGetsTheV1Driver() {
        CgroupDriver driver = CgroupMounts.driverFor(V1_HYBRID);

        assertThat(driver.version()).isEqualTo("v1");
        assertThat(((CgroupV1Driver) driver).mounts()).isEqualTo(Map.of(
                "cpu", Path.of("/sys/fs/cgroup/cpu"),
                "cpuacct", Path.of("/sys/fs/cgroup/cpuacct"),
                "memory", Path.of("/sys/fs/cgroup/memory"),
                "pids", Path.of("/sys/fs/cgroup/pids"),
                "freezer", Path.of("/sys/fs/cgroup/freezer")));
    }

    @Test
    void controllersSharingAHierarchyShareItsMountPoint() {
        CgroupV1Driver driver = (CgroupV1Driver) CgroupMounts.driverFor(V1_SYSTEMD);

        assertThat(driver.mounts().get("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        assertThat(driver.mounts().get("cpuacct")).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        assertThat(driver.open("box")).isEmpty();
    }

    @Test
    void cgroup2AtSysFsCgroupGetsTheV2Driver() {
        CgroupDriver driver = CgroupMounts.driverFor(PURE_V2);

        assertThat(driver.version()).isEqualTo("v2");
        assertThat(((CgroupV2Driver) driver).root()).isEqualTo(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void aHostWithoutCgroupsIsAnEnvironmentErrorThatSaysWhatToDo() {
        assertThatThrownBy(() -> CgroupMounts.driverFor(NO_CGROUPS))
                .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.ENVIRONMENT))
                .hasMessageContaining("missing cpu, cpuacct, memory, pids, freezer")
                .hasMessageContaining("systemd.unified_cgroup_hierarchy=1")
                .hasMessageContaining("mount -t cgroup");
    }

    @Test
    void aV1HostMissingSomeControllersNamesThem() {
        String withoutPidsAndFreezer = V1_HYBRID.lines()
                .filter(l -> !l.endsWith("rw,pids") && !l.endsWith("rw,freezer"))
                .reduce("", (a, b) -> a + b + "\n");

        assertThatThrownBy(() -> CgroupMounts.driverFor(withoutPidsAndFreezer))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("missing pids, freezer")
                .hasMessageContaining("cgroup2 only at [/sys/fs/cgroup/unified]");
    }

    @Test
    void thisHostIsDetectedAsOneOfTheTwo() {
        assertThat(CgroupDriver.detect().version()).isIn("v1", "v2");
    }
}
