package dev.ale.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One sandbox's model-proxy calls and the tokens they spent, against its passport's budget. A
 * conversation is sent whole with every call, so the record of a long episode grows with the
 * square of its length: past {@link #MAX_RECORDED} bytes of requests and replies, further calls
 * are kept without their bodies (their tokens still count).
 */
final class ModelLedger {

    static final long MAX_RECORDED = 64L << 20;

    private final String sandboxId;
    private final long budget;
    private final List<ModelCall> calls = new ArrayList<>();
    private long spent;
    private long recorded;

    ModelLedger(String sandboxId, long budget) {
        this.sandboxId = sandboxId;
        this.budget = budget;
    }

    long budget() {
        return budget;
    }

    synchronized long spent() {
        return spent;
    }

    synchronized long left() {
        return Math.max(0, budget - spent);
    }

    synchronized int nextIndex() {
        return calls.size() + 1;
    }

    /** Adds a call whose request and reply take {@code bytes}. */
    synchronized void add(ModelCall call, long bytes) {
        boolean fits = recorded + bytes <= MAX_RECORDED;
        calls.add(fits ? call : call.withoutBodies("this sandbox's record of model traffic is over " + (MAX_RECORDED >> 20)
                + " MiB; the call's tokens still count"));
        if (fits) recorded += bytes;
        spent += call.tokens();
    }

    synchronized List<ModelCall> calls() {
        return List.copyOf(calls);
    }

    /** The calls with their totals: what {@code GET .../model-calls} answers. */
    synchronized ObjectNode toJson() {
        ObjectNode json = Views.object();
        json.put("sandbox_id", sandboxId);
        json.put("token_budget", budget);
        json.put("tokens_spent", spent);
        ArrayNode all = json.putArray("calls");
        for (ModelCall c : calls) all.add(c.toJson());
        return json;
    }
}
