package dev.ale.gateway.net;

import dev.ale.core.host.HostTools;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * {@code nft -f} scripts of concurrent callers, run as one transaction under the machine lock
 * (a group commit). Each {@code nft} run first fetches the whole table, a cost that grows with the
 * sandboxes (0.13-0.30 s to add one sandbox's rules beside a thousand others): sixteen sandboxes
 * linked or unlinked at once then pay it once instead of sixteen times, one after the other.
 * When the joint transaction fails (nft applies none of it then), each script is run on its own,
 * so a caller only ever sees the result of its own script.
 */
final class NftBatch {

    private record Pending(String script, CompletableFuture<HostTools.Result> result) {
    }

    private static final List<String> NFT = List.of("nft", "-f", "-");

    private final MachineLock lock;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

    NftBatch(MachineLock lock) {
        this.lock = lock;
    }

    /** Runs {@code script}, alone or with others waiting at the same moment; its own result. */
    HostTools.Result apply(String script) {
        Pending mine = new Pending(script, new CompletableFuture<>());
        queue.add(mine);
        // Whoever holds the lock takes everything queued and completes it before letting go, so once
        // this caller has the lock its script is either done or still queued.
        lock.holding(() -> {
            if (mine.result().isDone()) return;
            List<Pending> batch = new ArrayList<>();
            for (Pending p = queue.poll(); p != null; p = queue.poll()) batch.add(p);
            run(batch);
        });
        try {
            return mine.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) throw cause;
            throw e;
        }
    }

    /** Scripts queued and not yet taken (for tests). */
    int waiting() {
        return queue.size();
    }

    /** Completes every script of {@code batch}, whatever happens: their callers wait on nothing else. */
    private static void run(List<Pending> batch) {
        try {
            if (batch.size() > 1) {
                StringBuilder joint = new StringBuilder();
                for (Pending p : batch) joint.append(p.script()).append('\n');
                HostTools.Result r = NetTools.tryRun(NFT, joint.toString());
                if (r.ok()) batch.forEach(p -> p.result().complete(r));
            }
        } catch (RuntimeException e) {
            // each on its own below, where each caller gets its own failure
        }
        for (Pending p : batch) {
            if (p.result().isDone()) continue;
            try {
                p.result().complete(NetTools.tryRun(NFT, p.script()));
            } catch (RuntimeException e) {
                p.result().completeExceptionally(e);
            }
        }
    }
}
