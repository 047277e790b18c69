package dev.ale.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** One sandbox's model-proxy calls and the tokens they spent, against its passport's budget. */
final class ModelLedger {

    private final String sandboxId;
    private final long budget;
    private final List<ModelCall> calls = new ArrayList<>();
    private long spent;

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

    synchronized void add(ModelCall call) {
        calls.add(call);
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
