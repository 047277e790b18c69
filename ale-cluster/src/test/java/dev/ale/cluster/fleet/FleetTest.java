package dev.ale.cluster.fleet;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Placement over reported nodes: most free first, never past a node's slots, a token's quota over the fleet, creates admitted at the nodes' rate. */
class FleetTest {

    private final Fleet fleet = new Fleet();

    @Test
    void eachCreateGoesToTheNodeWithTheMostFreeSlotsAndNoNodeIsOvercommitted() throws Exception {
        Node a = node("a", 3, 0);
        Node b = node("b", 5, 0);
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            Fleet.Reservation r = fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of());
            placed.merge(r.node().name().orElseThrow(), 1, Integer::sum);
            r.created();
        }
        assertThat(placed).containsEntry("a", 3).containsEntry("b", 5);
        assertThatThrownBy(() -> fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of())).isInstanceOf(Refusal.class)
                .hasMessageContaining("every slot of the cluster is taken (8 slots over 2 ready nodes)")
                .extracting(e -> ((Refusal) e).kind().status()).isEqualTo(429);
        assertThat(a.free()).isZero();
        assertThat(b.free()).isZero();
    }

    @Test
    void aNodeThatAnswersCallsIsNotDeclaredDeadForSlowPollsButOneThatDoesNotIs() throws Exception {
        Node busy = node("busy", 4, 0);
        Node silent = node("silent", 4, 0);
        busy.answered();
        CompletableFuture<Void> onBusy = busy.track(new CompletableFuture<>());
        CompletableFuture<Void> onSilent = silent.track(new CompletableFuture<>());
        for (int i = 0; i < 3; i++) {
            fleet.unreachable(busy, false);
            fleet.unreachable(silent, false);
        }
        assertThat(onBusy).as("a busy node's calls go on").isNotDone();
        assertThat(busy.placeable()).as("but nothing more is placed there until it reports").isFalse();
        assertThat(onSilent).isCompletedExceptionally();
        assertThat(silent.state()).isEqualTo("unreachable");
        // a refused connection is certain whatever the node answered before
        fleet.unreachable(busy, true);
        assertThat(onBusy).isCompletedExceptionally();
    }

    @Test
    void aReportSentBeforeACreateDoesNotHideIt() throws Exception {
        Node a = node("a", 1, 0);
        long before = System.nanoTime();
        fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of()).created();
        // a report the node wrote before the create ended still says 0 used: the create stays counted
        fleet.reported(a, capacity("a", 1, 0, Map.of()), before);
        assertThatThrownBy(() -> fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of())).isInstanceOf(Refusal.class);
        // one sent after it, which counts it, takes over
        fleet.reported(a, capacity("a", 1, 1, Map.of()), System.nanoTime());
        assertThat(a.free()).isZero();
        fleet.reported(a, capacity("a", 1, 0, Map.of()), System.nanoTime());
        assertThat(a.free()).isOne();
    }

    @Test
    void aTokensQuotaHoldsOverTheWholeFleet() throws Exception {
        node("a", 10, 0, Map.of("trainer", 2));
        node("b", 10, 0, Map.of("trainer", 1));
        assertThatThrownBy(() -> fleet.reserve(Optional.of("trainer"), OptionalInt.of(3), Set.of())).isInstanceOf(Refusal.class)
                .hasMessageContaining("token 'trainer' already has 3 of its 3 sandboxes over the cluster")
                .extracting(e -> ((Refusal) e).kind().code()).isEqualTo("quota_exceeded");
        fleet.reserve(Optional.of("other"), OptionalInt.of(3), Set.of()).created();
    }

    @Test
    void aStartStormWaitsForTheNodesCreatePermitsInsteadOfFailing() throws Exception {
        node("a", 100, 0); // two CPUs: eight creates at once
        List<Fleet.Reservation> running = new ArrayList<>();
        for (int i = 0; i < 8; i++) running.add(fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of()));
        CompletableFuture<Fleet.Reservation> third = CompletableFuture.supplyAsync(() -> {
            try {
                return fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> third.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        running.getFirst().created();
        assertThat(third.get(5, TimeUnit.SECONDS).node().name()).contains("a");
    }

    @Test
    void anUnreachableNodeTakesNothingNewAndItsCallsFailAtOnceWhenItIsDead() throws Exception {
        Node a = node("a", 10, 0);
        Node b = node("b", 10, 5);
        CompletableFuture<String> call = a.track(new CompletableFuture<>());
        fleet.unreachable(a, false); // a timeout: suspect, so nothing is placed there, but its calls go on
        assertThat(fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of()).node()).isSameAs(b);
        assertThat(call).isNotDone();
        fleet.unreachable(a, true); // connection refused: dead
        assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(NodeDown.class)
                .hasMessageContaining("node a is not answering");
        assertThat(a.track(new CompletableFuture<>())).isCompletedExceptionally();
        assertThat(a.state()).isEqualTo("unreachable");
        fleet.reported(a, capacity("a", 10, 0, Map.of()), System.nanoTime());
        assertThat(a.placeable()).isTrue();
    }

    @Test
    void noReadyNodeIsARetriableRefusal() {
        fleet.update(List.of(new Member(URI.create("http://192.0.2.1:8080"), Optional.of("a"), false)));
        assertThatThrownBy(() -> fleet.reserve(Optional.empty(), OptionalInt.empty(), Set.of())).isInstanceOf(Refusal.class)
                .extracting(e -> ((Refusal) e).kind()).isEqualTo(Refusal.Kind.NO_NODES);
    }

    @Test
    void aNodeWhoseReportNamesAnotherPodIsNotUsed() throws Exception {
        fleet.update(List.of(new Member(URI.create("http://192.0.2.1:8080"), Optional.of("a"), true)));
        Node a = fleet.nodes().getFirst();
        fleet.reported(a, capacity("impostor", 10, 0, Map.of()), System.nanoTime());
        assertThat(a.placeable()).isFalse();
        assertThat(fleet.byName("impostor")).isEmpty();
    }

    private Node node(String name, int slots, int used) {
        return node(name, slots, used, Map.of());
    }

    private Node node(String name, int slots, int used, Map<String, Integer> owners) {
        List<Member> members = new ArrayList<>();
        for (Node n : fleet.nodes()) members.add(new Member(n.url(), n.name(), true));
        URI url = URI.create("http://192.0.2." + (members.size() + 1) + ":8080");
        members.add(new Member(url, Optional.empty(), true));
        fleet.update(members);
        Node n = fleet.nodes().stream().filter(x -> x.url().equals(url)).findFirst().orElseThrow();
        fleet.reported(n, capacity(name, slots, used, owners), System.nanoTime());
        return n;
    }

    private static Capacity capacity(String name, int slots, int used, Map<String, Integer> owners) {
        return new Capacity(name, OptionalInt.of(slots), used, owners, 2, 1L << 30);
    }
}
