package dev.ale.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.monitor.hold.Decision;
import dev.ale.monitor.hold.Hold;
import dev.ale.monitor.hold.HoldDesk;
import dev.ale.monitor.hold.HoldJson;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds for approval: {@code GET /holds} lists them, {@code POST /holds/{id}/approve} and
 * {@code /deny} decide one (200 with the hold; 409 when it was settled before, saying by whom;
 * 404 for an unknown id or one of another token's sandboxes). The admin token sees every hold, an
 * env token those of its own sandboxes and environments. The decider is the token's name, which
 * the decision event (and so the audit log and the trajectory) carries.
 */
final class HoldRoutes {

    /** Looks up owners across every token. */
    private static final Caller EVERYONE = new Caller("ale", true, OptionalInt.empty(), Optional.empty());

    private final HoldDesk desk;
    private final Sandboxes sandboxes;
    private final Envs envs;
    /** Each hold's sandbox owner, taken when it opens: the sandbox may be gone by the time someone looks. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    HoldRoutes(HoldDesk desk, Sandboxes sandboxes, Envs envs) {
        this.desk = desk;
        this.sandboxes = sandboxes;
        this.envs = envs;
        desk.onOpened(h -> {
            owners.keySet().removeIf(id -> desk.find(id).isEmpty()); // holds the desk has let go of
            ownerOf(h.sandboxId()).ifPresent(o -> owners.put(h.id(), o));
        });
    }

    void register(Routes routes) {
        routes.get("/holds", this::list);
        routes.post("/holds/{id}/approve", ctx -> decide(ctx, true));
        routes.post("/holds/{id}/deny", ctx -> decide(ctx, false));
    }

    private void list(Context ctx) {
        Caller caller = Auth.caller(ctx);
        ArrayNode out = Bodies.JSON.createArrayNode();
        for (Hold h : desk.list()) if (reaches(caller, h)) out.add(HoldJson.toJson(h));
        Routes.json(ctx, 200, out);
    }

    private void decide(Context ctx, boolean approve) {
        Caller caller = Auth.caller(ctx);
        String id = ctx.pathParam("id");
        Hold hold = desk.find(id).filter(h -> reaches(caller, h)).orElseThrow(() -> ApiError.notFound("no hold " + id));
        Decision d = approve ? desk.approve(hold.id(), caller.name()) : desk.deny(hold.id(), caller.name());
        switch (d) {
            case Decision.Settled s -> Routes.json(ctx, 200, HoldJson.toJson(s.hold()));
            case Decision.AlreadySettled s -> {
                Hold first = s.hold();
                String how = first.state() == Hold.State.EXPIRED
                        ? "expired at its deadline " + first.deadline() + " (no answer denies it)"
                        : "already " + first.state().wire() + " by " + first.decidedBy().orElse("?")
                                + " at " + first.decidedAt().map(Object::toString).orElse("?");
                ObjectNode body = Views.error("conflict", "hold " + id + " was " + how + "; this answer changed nothing");
                body.set("hold", HoldJson.toJson(first));
                Routes.json(ctx, 409, body);
            }
            case Decision.Unknown u -> throw ApiError.notFound("no hold " + u.id());
        }
    }

    private boolean reaches(Caller caller, Hold h) {
        if (caller.admin()) return true;
        String owner = owners.get(h.id());
        return owner != null && caller.reaches(owner);
    }

    private Optional<String> ownerOf(String sandboxId) {
        Optional<String> direct = sandboxes.byId(sandboxId).map(Hosted::owner);
        if (direct.isPresent()) return direct;
        for (HostedEnv h : envs.list(EVERYONE)) {
            if (h.env().live().map(l -> l.guarded().id().equals(sandboxId)).orElse(false)) return Optional.of(h.owner());
        }
        return Optional.empty();
    }
}
