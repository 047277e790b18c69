package dev.ale.server;

import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Makes a cluster's certificates with the JDK's own {@code keytool} (the JDK that runs ALE has it,
 * so nothing else is needed in the image): a CA, a node key pair ({@code serverAuth}, DNS
 * {@link ClusterTls#NODE_NAME}) and a front key pair ({@code clientAuth}), each in PKCS12 with the
 * CA as its one trusted entry, all under one random password.
 */
public final class ClusterCerts {

    /** What {@link #make} wrote: the CA (keep it off the cluster), the node's and the front's key stores. */
    public record Made(Path ca, Path node, Path front, Path password) { }

    private static final String DNAME_CA = "CN=ALE cluster CA";
    private static final String CA = "ca";

    private final Path dir;
    private final int days;

    private ClusterCerts(Path dir, int days) {
        this.dir = dir;
        this.days = days;
    }

    /** A new CA and one key pair for each role in {@code dir}, valid {@code days} days; refuses a directory that has a CA already. */
    public static Made make(Path dir, int days) {
        if (days < 1) throw new ServerException(Fault.INPUT, "--days: must be at least 1, not " + days);
        ClusterCerts certs = new ClusterCerts(dir, days);
        if (Files.exists(dir.resolve("ca.p12"))) {
            throw new ServerException(Fault.INPUT, dir + " already holds a CA (ca.p12); choose another directory, or remove it to start over");
        }
        try {
            Files.createDirectories(dir);
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            Path password = dir.resolve(ClusterTls.PASSWORD_FILE);
            Files.deleteIfExists(password);
            Files.createFile(password, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(password, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n", StandardCharsets.UTF_8);
            certs.keytool("-genkeypair", "-alias", CA, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", DNAME_CA,
                    "-ext", "BC:c=ca:true,pathlen:0", "-ext", "KU:c=keyCertSign,cRLSign", "-validity", String.valueOf(days),
                    "-keystore", "ca.p12", "-storetype", "PKCS12");
            certs.keytool("-exportcert", "-rfc", "-alias", CA, "-keystore", "ca.p12", "-file", "ca.crt");
            certs.issue(ClusterTls.Role.NODE, ClusterTls.NODE_NAME);
            certs.issue(ClusterTls.Role.FRONT, "ale-front");
            for (String f : List.of("ca.p12", "node.p12", "front.p12")) {
                Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-------"));
            }
            return new Made(dir.resolve("ca.p12"), dir.resolve("node.p12"), dir.resolve("front.p12"), password);
        } catch (IOException e) {
            throw new ServerException(Fault.ENVIRONMENT, "cannot write the certificates to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Issues {@code role}'s key store again from {@code dir}'s CA, for the DNS name {@code dnsName}
     * (a node's must be {@link ClusterTls#NODE_NAME} for the front to take it); replaces the old one.
     */
    public static Path issue(Path dir, ClusterTls.Role role, String dnsName) {
        if (!dnsName.matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")) throw new ServerException(Fault.INPUT, "not a DNS name: " + dnsName);
        ClusterCerts certs = new ClusterCerts(dir, 825);
        try {
            Files.deleteIfExists(dir.resolve(role.file()));
            certs.issue(role, dnsName);
        } catch (IOException e) {
            throw new ServerException(Fault.ENVIRONMENT, "cannot write " + dir.resolve(role.file()) + ": " + e.getMessage(), e);
        }
        return dir.resolve(role.file());
    }

    private void issue(ClusterTls.Role role, String dnsName) throws IOException {
        String alias = role.name().toLowerCase(Locale.ROOT);
        String store = role.file();
        String csr = alias + ".csr";
        String crt = alias + ".crt";
        String eku = role == ClusterTls.Role.NODE ? "serverAuth" : "clientAuth";
        try {
            keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + dnsName,
                    "-validity", String.valueOf(days), "-keystore", store, "-storetype", "PKCS12");
            keytool("-certreq", "-alias", alias, "-keystore", store, "-file", csr);
            keytool("-gencert", "-rfc", "-alias", CA, "-keystore", "ca.p12", "-infile", csr, "-outfile", crt, "-validity", String.valueOf(days),
                    "-ext", "SAN=dns:" + dnsName, "-ext", "EKU:c=" + eku, "-ext", "KU:c=digitalSignature");
            // the CA first, as a trusted entry: the reply's chain is checked against it, and the member trusts it alone
            keytool("-importcert", "-noprompt", "-alias", CA, "-file", "ca.crt", "-keystore", store);
            keytool("-importcert", "-alias", alias, "-file", crt, "-keystore", store);
        } finally {
            Files.deleteIfExists(dir.resolve(csr));
            Files.deleteIfExists(dir.resolve(crt));
        }
    }

    /** Runs the keytool of the JDK that runs this, in {@code dir}, with the password from its file (never on the command line). */
    private void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new ServerException(Fault.ENVIRONMENT, keytool + " is missing: run ALE on a full JDK (keytool makes the certificates)");
        }
        List<String> cmd = new ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass:file", ClusterTls.PASSWORD_FILE));
        if (List.of(args).contains("-genkeypair")) cmd.addAll(List.of("-keypass:file", ClusterTls.PASSWORD_FILE));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ServerException(Fault.ENVIRONMENT, "keytool " + args[0] + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ServerException(Fault.ENVIRONMENT, "interrupted while keytool ran", e);
        }
        if (p.exitValue() != 0) throw new ServerException(Fault.ENVIRONMENT, "keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + out);
    }
}
