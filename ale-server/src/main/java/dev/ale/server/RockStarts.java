package dev.ale.server;

import dev.ale.core.sandbox.SandboxRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ROCK's {@code start_async}: the answer names the sandbox before it exists, and the sandbox is made
 * on a thread of its own; {@code get_status} says where the start stands. The name is a ROCK id
 * ({@code rock-…}) that ROCK's routes take from then on for the ALE sandbox it becomes (whose own
 * id {@code get_status} also gives, and {@code /v1/sandboxes} lists with the label {@code rock_id}).
 * The token's quota slot is taken when the start is answered, so a burst of starts cannot overshoot.
 */
final class RockStarts {

    private static final System.Logger LOG = System.getLogger(RockStarts.class.getName());
    /** How long a failed start is remembered for the status calls that come to look. */
    private static final Duration KEEP_FAILED = Duration.ofMinutes(10);
    /** The label a sandbox made by start_async carries: its ROCK id. */
    static final String LABEL = "rock_id";

    /** Where one start stands. */
    sealed interface Stage permits Starting, Started, Failed {
    }

    /** The sandbox is being made. */
    record Starting() implements Stage {
    }

    /** It was made: the ALE sandbox's id. */
    record Started(String sandboxId) implements Stage {
    }

    /** It could not be made, and why. */
    record Failed(String reason, Instant at) implements Stage {
    }

    /** One start: its ROCK id, whose it is, and its stage; stopping it while it is made destroys what it makes. */
    static final class Start {
        private final String id;
        private final String owner;
        private Stage stage = new Starting();
        private boolean stopped;

        Start(String id, String owner) {
            this.id = id;
            this.owner = owner;
        }

        String id() {
            return id;
        }

        synchronized Stage stage() {
            return stage;
        }
    }

    private final Sandboxes sandboxes;
    private final Map<String, Start> byId = new ConcurrentHashMap<>();

    RockStarts(Sandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** Takes the caller's quota slot (a refusal is the caller's answer now) and starts making the sandbox; returns its ROCK id. */
    String begin(Caller caller, SandboxRequest request, Duration idleTimeout) {
        prune();
        sandboxes.reserve(caller);
        String id = "rock-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Start start = new Start(id, caller.name());
        byId.put(id, start);
        Map<String, String> labels = new HashMap<>(request.labels());
        labels.put(LABEL, id);
        SandboxRequest labelled = new SandboxRequest(request.passport(), labels, request.detached(), request.phase());
        Thread.ofVirtual().name("rock-start-" + id).start(() -> make(start, caller, labelled, idleTimeout));
        return id;
    }

    private void make(Start start, Caller caller, SandboxRequest request, Duration idleTimeout) {
        Hosted hosted;
        try {
            hosted = sandboxes.createReserved(caller, request, idleTimeout);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "ROCK start " + start.id + " failed: " + e.getMessage());
            synchronized (start) {
                start.stage = new Failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), Instant.now());
            }
            return;
        }
        boolean stopped;
        synchronized (start) {
            stopped = start.stopped;
            if (!stopped) start.stage = new Started(hosted.id());
        }
        // stopped while it was being made: what was made goes at once
        if (stopped) sandboxes.destroy(hosted);
    }

    /** The start named {@code id} if the caller may see it; empty for an id that is no start, or another token's. */
    Optional<Start> find(Caller caller, String id) {
        Start s = byId.get(id);
        return s == null || !caller.reaches(s.owner) ? Optional.empty() : Optional.of(s);
    }

    /** Stops a start: one being made is destroyed once made; one that failed is forgotten. Returns the sandbox to destroy now, if made. */
    Optional<String> stop(Start start) {
        synchronized (start) {
            start.stopped = true;
            if (!(start.stage instanceof Starting)) byId.remove(start.id, start);
            return start.stage instanceof Started(String sandboxId) ? Optional.of(sandboxId) : Optional.empty();
        }
    }

    /** Forgets a start whose sandbox is gone, a failed one past its time, and a stopped one once its making has ended. */
    private void prune() {
        Instant now = Instant.now();
        for (Start s : byId.values()) {
            boolean gone;
            synchronized (s) {
                gone = switch (s.stage) {
                    case Starting _ -> false;
                    case Started(String sandboxId) -> s.stopped || sandboxes.byId(sandboxId).isEmpty();
                    case Failed(String _, Instant at) -> s.stopped || at.plus(KEEP_FAILED).isBefore(now);
                };
            }
            if (gone) byId.remove(s.id, s);
        }
    }
}
