package dev.ale.containment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.gateway.HostResolver;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import dev.ale.monitor.audit.PassportHistory;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a guarded sandbox leaves in the audit log for its passport's history: a record naming the
 * passport when it is made, one per host the gateway let it reach, and its refusals as events;
 * each names the passport's fingerprint (or the declared one, for a derived passport).
 */
@Tag("root")
class PassportAuditTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Path dataDir;
    private HttpServer upstream;
    private GuardedBackend containment;

    @BeforeEach
    void start() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        upstream = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        upstream.createContext("/", x -> {
            byte[] body = "package index\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        upstream.start();
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-passport-audit");
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(dataDir);
        // the operator's pin: the allowlisted name is this test's own server on loopback
        containment = GuardedBackend.open(dataDir.resolve("audit.db"), HostResolver.pinned(Map.of("pkg.example.com", List.of(LOOPBACK))),
                network -> new LocalSandboxBackend(config.withNetwork(network)));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (containment != null) containment.close();
        } finally {
            if (upstream != null) upstream.stop(0);
            if (dataDir != null && !Files.readString(Path.of("/proc/self/mounts")).contains(" " + dataDir + "/")) {
                try (Stream<Path> walk = Files.walk(dataDir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                } catch (UncheckedIOException e) {
                    // vanished during the walk
                }
            }
        }
    }

    @Test
    void aSandboxsRecordsNameItsPassportAndTheHostsItReachedAndWasRefused() {
        int port = upstream.getAddress().getPort();
        Passport passport = PassportLoader.parse("""
                id: fetcher
                egress:
                  agent:
                    - {domain: "pkg.example.com", ports: [%d]}
                """.formatted(port), "fetcher.yaml");
        String sandboxId;
        try (GuardedSandbox s = containment.create(SandboxRequest.of(passport).forEpisode("ep-7"))) {
            sandboxId = s.id();
            ExecResult reached = s.exec(ExecRequest.of("curl", "-sS", "-m", "10", "http://pkg.example.com:" + port + "/")
                    .withTimeout(Duration.ofSeconds(30)));
            assertThat(reached.stdout()).as(reached.stderr()).contains("package index");
            s.exec(ExecRequest.of("curl", "-sS", "-m", "10", "http://other.example.com/").withTimeout(Duration.ofSeconds(30)));
        }

        try (AuditLog log = AuditLog.openExisting(containment.auditFile())) {
            AuditRecord created = log.query(AuditQuery.all().withKind(PassportHistory.SANDBOX_KIND)).getFirst();
            assertThat(created.sandbox()).isEqualTo(sandboxId);
            assertThat(created.episode()).contains("ep-7");
            assertThat(created.payloadMap()).containsEntry("passport", "fetcher").containsEntry("passport_fingerprint", passport.fingerprint());

            PassportHistory h = PassportHistory.read(log, passport.fingerprint(), Optional.empty(), Optional.empty());
            assertThat(h.sandboxes()).containsExactly(sandboxId);
            assertThat(h.hostsReached()).containsEntry("pkg.example.com:" + port, 1);
            assertThat(h.hostsRefused().keySet()).anyMatch(k -> k.contains("other.example.com"));
            assertThat(h.eventsByCategory()).containsKey("egress-denied");
            assertThat(h.versions()).singleElement().satisfies(v -> assertThat(v.id()).isEqualTo("fetcher"));
        }
    }

    @Test
    void aSandboxUnderADerivedPassportNamesTheDeclaredFingerprint() {
        Passport declared = PassportLoader.parse("id: task-passport\n", "task.yaml");
        Passport derived = declared.withProtectedPaths(List.of("/workspace/tests"));
        try (GuardedSandbox s = containment.create(SandboxRequest.of(derived).declaredAs(declared.fingerprint()))) {
            s.exec(ExecRequest.of("ssh", "-R", "9000:localhost:22", "x@203.0.113.9").withTimeout(Duration.ofSeconds(30)));
            assertThat(s.events()).isNotEmpty().allSatisfy(e -> assertThat(e.passportFingerprint()).contains(declared.fingerprint()));
        }
        try (AuditLog log = AuditLog.openExisting(containment.auditFile())) {
            assertThat(PassportHistory.named(log, declared.fingerprint())).isTrue();
            assertThat(PassportHistory.named(log, derived.fingerprint())).isFalse();
        }
    }
}
