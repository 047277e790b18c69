package dev.ale.cli;

import dev.ale.server.ClusterTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ale cluster certs DIR}: a CA and the two roles' key stores, readable by ale serve, never made twice over one CA. */
class ClusterCertsCommandTest {

    @TempDir
    Path dir;

    @Test
    void itMakesKeyStoresTheNodeAndFrontReadAndRefusesADirectoryWithACa() throws Exception {
        Path certs = dir.resolve("tls");
        Ale.Result made = Ale.runWithoutDataDir("cluster", "certs", certs.toString(), "--days", "2");

        assertThat(made.exit()).as(made.err()).isZero();
        assertThat(made.out()).contains("ca.p12").contains("node.p12").contains("front.p12");
        for (String f : new String[] {"ca.p12", "node.p12", "front.p12", "password"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve(f)))).as(f).isEqualTo("rw-------");
        }
        assertThat(ClusterTls.load(certs, ClusterTls.Role.NODE).context().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(ClusterTls.load(certs, ClusterTls.Role.FRONT).context().getProtocol()).isEqualTo("TLSv1.3");

        Ale.Result again = Ale.runWithoutDataDir("cluster", "certs", certs.toString());
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a CA").doesNotContain("Exception");
        assertThat(Ale.runWithoutDataDir("cluster", "certs", dir.resolve("x").toString(), "--days", "0").err()).contains("--days: must be at least 1");
    }
}
