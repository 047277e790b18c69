package dev.ale.monitor.hold;

import com.sun.net.httpserver.HttpServer;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The hold desk on its own: one answer settles a hold, the deadline denies, a webhook never holds anything up. */
class HoldDeskTest {

    private final HoldDesk desk = new HoldDesk(Clock.systemUTC());

    @AfterEach
    void close() {
        desk.close();
    }

    private static SafetyEvent held(String sandbox) {
        return new SafetyEvent("tunnel.ssh.remote-forward", Category.TUNNEL, Severity.CRITICAL, Action.HOLD, sandbox,
                Optional.of("ep-1"), OptionalInt.of(3), "p", Optional.empty(), Instant.now(), "ssh -R", Map.of("source", "pre-exec"));
    }

    @Test
    void theFirstAnswerSettlesAHoldAndALaterOneIsToldWhoAnsweredFirst() {
        Hold hold = desk.open(held("sb-1"), Hold.Kind.COMMAND, Duration.ofMinutes(1));

        Decision first = desk.approve(hold.id(), "alice");
        Decision second = desk.deny(hold.id(), "bob");

        assertThat(first).isInstanceOfSatisfying(Decision.Settled.class, d -> {
            assertThat(d.hold().state()).isEqualTo(Hold.State.APPROVED);
            assertThat(d.hold().decidedBy()).hasValue("alice");
            assertThat(d.hold().decidedAt()).isPresent();
        });
        assertThat(second).isInstanceOfSatisfying(Decision.AlreadySettled.class,
                d -> assertThat(d.hold().decidedBy()).hasValue("alice"));
        assertThat(desk.find(hold.id()).orElseThrow().state()).isEqualTo(Hold.State.APPROVED);
    }

    @Test
    void manyOperatorsRacingOnOneHoldSettleItExactlyOnce() throws Exception {
        Hold hold = desk.open(held("sb-1"), Hold.Kind.RUNTIME, Duration.ofMinutes(1));
        List<String> settledBy = new CopyOnWriteArrayList<>();
        desk.onSettled(h -> settledBy.add(h.decidedBy().orElseThrow()));
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Decision>> answers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String who = "op-" + i;
            boolean approve = i % 2 == 0;
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return approve ? desk.approve(hold.id(), who) : desk.deny(hold.id(), who);
            }));
        }
        go.countDown();
        List<Decision> all = new ArrayList<>();
        for (CompletableFuture<Decision> a : answers) all.add(a.get(30, TimeUnit.SECONDS));

        assertThat(all).filteredOn(d -> d instanceof Decision.Settled).hasSize(1);
        assertThat(settledBy).hasSize(1);
        assertThat(all).filteredOn(d -> d instanceof Decision.AlreadySettled)
                .allSatisfy(d -> assertThat(((Decision.AlreadySettled) d).hold().decidedBy()).hasValue(settledBy.getFirst()));
    }

    @Test
    void noAnswerByTheDeadlineExpiresTheHoldWhichDeniesItAndALateApprovalIsRefused() throws Exception {
        Hold hold = desk.open(held("sb-1"), Hold.Kind.COMMAND, Duration.ofMillis(300));

        Hold settled = desk.await(hold.id());

        assertThat(settled.state()).isEqualTo(Hold.State.EXPIRED);
        assertThat(settled.approved()).isFalse();
        assertThat(settled.decidedBy()).hasValue(HoldDesk.DEADLINE);
        assertThat(desk.approve(hold.id(), "alice")).isInstanceOfSatisfying(Decision.AlreadySettled.class,
                d -> assertThat(d.hold().state()).isEqualTo(Hold.State.EXPIRED));
    }

    @Test
    void settledHoldsAreForgottenADayAfterTheirDecisionAndPendingOnesNever() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock moving = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        try (HoldDesk d = new HoldDesk(moving)) {
            Hold settled = d.open(held("sb-1"), Hold.Kind.COMMAND, Duration.ofDays(30));
            Hold pending = d.open(held("sb-1"), Hold.Kind.COMMAND, Duration.ofDays(30));
            d.approve(settled.id(), "alice");

            now.set(now.get().plus(HoldDesk.KEEP_SETTLED).plusSeconds(1));
            Hold later = d.open(held("sb-2"), Hold.Kind.COMMAND, Duration.ofDays(30));

            assertThat(d.find(settled.id())).isEmpty();
            assertThat(d.list()).extracting(Hold::id).containsExactly(pending.id(), later.id());
        }
    }

    @Test
    void anUnknownHoldIsSaidToBeUnknown() {
        assertThat(desk.approve("hold-nope", "alice")).isEqualTo(new Decision.Unknown("hold-nope"));
        assertThat(desk.find("hold-nope")).isEmpty();
    }

    @Test
    void aSandboxThatGoesAwayDeniesItsPendingHoldsAndNoOneElses() {
        Hold mine = desk.open(held("sb-1"), Hold.Kind.RUNTIME, Duration.ofMinutes(1));
        Hold other = desk.open(held("sb-2"), Hold.Kind.RUNTIME, Duration.ofMinutes(1));

        desk.abandon("sb-1", "sandbox destroyed");

        assertThat(desk.find(mine.id()).orElseThrow().state()).isEqualTo(Hold.State.DENIED);
        assertThat(desk.find(mine.id()).orElseThrow().decidedBy()).hasValue("ale (sandbox destroyed)");
        assertThat(desk.find(other.id()).orElseThrow().isPending()).isTrue();
    }

    @Test
    void onlyAHeldEventOpensAHold() {
        SafetyEvent e = held("sb-1");
        SafetyEvent alert = new SafetyEvent(e.rule(), e.category(), e.severity(), Action.ALERT, e.sandbox(), e.episode(), e.step(),
                e.passportId(), e.passportFingerprint(), e.time(), e.detail(), e.evidence());
        assertThatThrownBy(() -> desk.open(alert, Hold.Kind.COMMAND, Duration.ofMinutes(1))).hasMessageContaining("not a held event");
    }

    @Test
    void theWebhookReceivesEachHoldAsJson() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> bodies = new CopyOnWriteArrayList<>();
        server.createContext("/hook", x -> {
            try (InputStream in = x.getRequestBody()) {
                bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        try {
            HoldWebhook hook = new HoldWebhook(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"), Duration.ofSeconds(5));
            desk.onOpened(hook);
            Hold hold = desk.open(held("sb-1"), Hold.Kind.COMMAND, Duration.ofMinutes(1));

            await().atMost(Duration.ofSeconds(10)).until(() -> hook.delivered() == 1);
            assertThat(bodies).singleElement().satisfies(b -> assertThat(b)
                    .contains("\"id\":\"" + hold.id() + "\"", "\"sandboxId\":\"sb-1\"", "\"kind\":\"command\"", "\"state\":\"pending\"",
                            "\"ruleId\":\"tunnel.ssh.remote-forward\"", "\"step\":3", "\"episodeId\":\"ep-1\""));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWebhookThatNeverAnswersHoldsUpNothingAndIsGivenUpAfterItsTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    // takes the connection and reads nothing, answers nothing
                    while (true) accepted.add(silent.accept());
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            HoldWebhook hook = new HoldWebhook(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/hook"), Duration.ofSeconds(1));
            desk.onOpened(hook);

            Hold hold = desk.open(held("sb-1"), Hold.Kind.RUNTIME, Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> !accepted.isEmpty());
            // the webhook's request is stuck at the silent end, and the hold is already open and can be decided
            assertThat(hook.delivered() + hook.failed()).isZero();
            assertThat(desk.deny(hold.id(), "alice")).isInstanceOf(Decision.Settled.class);

            await().atMost(Duration.ofSeconds(10)).until(() -> hook.failed() == 1);
            assertThat(hook.delivered()).isZero();
            for (Socket s : accepted) s.close();
            acceptor.interrupt();
        }
    }

    @Test
    void aWebhookURLThatIsNotHttpIsRefusedWithItsName() {
        assertThatThrownBy(() -> new HoldWebhook(URI.create("file:///etc/passwd"), Duration.ofSeconds(1)))
                .hasMessageContaining("file:///etc/passwd").hasMessageContaining("http://");
        assertThatThrownBy(() -> new HoldWebhook(URI.create("http://127.0.0.1/x"), Duration.ZERO)).hasMessageContaining("timeout");
    }
}
