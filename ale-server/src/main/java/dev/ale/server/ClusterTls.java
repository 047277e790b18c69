package dev.ale.server;

import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS of one member of a cluster (docs/cluster.md): its own key and certificate, and the
 * cluster CA it trusts for its peer, read from {@code DIR/ROLE.p12} and {@code DIR/password} as
 * {@link ClusterCerts} writes them. Only TLS 1.3 is spoken; both ends are ALE.
 */
public final class ClusterTls {

    /** Which end of the front-to-node link a certificate is for; its extended key usage says the same. */
    public enum Role {
        /** Serves the node API: {@code serverAuth}, DNS name {@link #NODE_NAME}. */
        NODE,
        /** Calls the nodes: {@code clientAuth}. */
        FRONT;

        /** The file this role's key and chain are in, under the certificates directory. */
        public String file() {
            return name().toLowerCase(Locale.ROOT) + ".p12";
        }
    }

    /** The DNS name every node's certificate carries and the front demands (nodes are reached by pod IP, so not the IP). */
    public static final String NODE_NAME = "ale-node";
    public static final String PROTOCOL = "TLSv1.3";
    static final String PASSWORD_FILE = "password";

    private final SSLContext context;
    private final String source;

    private ClusterTls(SSLContext context, String source) {
        this.context = context;
        this.source = source;
    }

    /** Reads {@code dir}'s key store for {@code role}; every fault names the file and what to do. */
    public static ClusterTls load(Path dir, Role role) {
        Path store = dir.resolve(role.file());
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        char[] password;
        try {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
            throw new ServerException(Fault.INPUT, "--tls-dir: cannot read " + passwordFile + " (" + e.getMessage()
                    + "); make the directory with `ale cluster certs DIR`");
        }
        KeyStore keys;
        try (InputStream in = Files.newInputStream(store)) {
            keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new ServerException(Fault.INPUT, "--tls-dir: cannot read " + store + " with the password in " + passwordFile + " ("
                    + e.getMessage() + "); make the directory with `ale cluster certs DIR`");
        }
        try {
            List<String> aliases = Collections.list(keys.aliases());
            List<String> keyEntries = new ArrayList<>();
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (String alias : aliases) {
                if (keys.isKeyEntry(alias)) keyEntries.add(alias);
                // only the CA is trusted, never this member's own certificate (the JDK would take a key entry's too)
                else if (keys.isCertificateEntry(alias)) trusted.setCertificateEntry(alias, keys.getCertificate(alias));
            }
            if (keyEntries.size() != 1) {
                throw new ServerException(Fault.INPUT, store + ": holds " + keyEntries.size() + " keys, not one (the " + role.name().toLowerCase(Locale.ROOT)
                        + "'s key and certificate, as `ale cluster certs DIR` writes it)");
            }
            if (trusted.size() == 0) throw new ServerException(Fault.INPUT, store + ": holds no CA certificate to trust (entry \"ca\")");
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new ClusterTls(context, store.toString());
        } catch (GeneralSecurityException | IOException e) {
            throw new ServerException(Fault.INPUT, store + ": cannot use it for TLS: " + e.getMessage(), e);
        }
    }

    /** Keys and trust, ready for a socket factory or Jetty's connector. */
    public SSLContext context() {
        return context;
    }

    @Override
    public String toString() {
        return "TLS from " + source;
    }
}
