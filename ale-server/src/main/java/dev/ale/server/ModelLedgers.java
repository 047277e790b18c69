package dev.ale.server;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Every served sandbox's {@link ModelLedger}, by sandbox id, from its first model call until its episode is over. */
final class ModelLedgers {

    private final Map<String, ModelLedger> bySandbox = new ConcurrentHashMap<>();

    ModelLedger of(String sandboxId, long budget) {
        return bySandbox.computeIfAbsent(sandboxId, id -> new ModelLedger(id, budget));
    }

    /** A sandbox's ledger, if it made a model call in its episode so far. */
    Optional<ModelLedger> find(String sandboxId) {
        return Optional.ofNullable(bySandbox.get(sandboxId));
    }

    /** Takes a sandbox's ledger out (its episode ended, or the sandbox is gone). */
    Optional<ModelLedger> forget(String sandboxId) {
        return Optional.ofNullable(bySandbox.remove(sandboxId));
    }

    int size() {
        return bySandbox.size();
    }
}
