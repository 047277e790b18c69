package dev.ale.server;

import java.util.concurrent.Executors;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty thread pool of every ALE server, a node's and a cluster's front's: selector and acceptor
 * loops on a few platform threads, each request on a virtual thread of its own (a call waits for as
 * long as its command runs).
 */
public final class JettyThreads {

    /**
     * Set to {@code javalin} in a node's JVM, the node runs on Javalin's own all-virtual pool instead: only
     * {@code ale bench cluster --compare-node-pool} sets it, to measure this pool against that one.
     */
    public static final String NODE_POOL_PROPERTY = "ale.node.jetty-pool";

    /** Platform threads at most; under TLS a node's two connectors lease at most ten of them (4 acceptors and 1 selector each). */
    private static final int MAX_PLATFORM = 16;
    private static final int MIN_PLATFORM = 4;

    private JettyThreads() {
    }

    /**
     * Javalin's all-virtual pool also runs the selector and acceptor loops as virtual threads, which
     * block in epoll and accept on a carrier; on platform threads the front spent about 10% less CPU per
     * forwarded step (median of five runs each, docs/benchmarks.md). Threads are named {@code NAME-…}.
     */
    public static QueuedThreadPool pool(String name) {
        QueuedThreadPool pool = new QueuedThreadPool(MAX_PLATFORM, MIN_PLATFORM);
        pool.setName(name);
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-call-", 0).factory()));
        return pool;
    }

    /** Whether a node runs on {@link #pool}: always, but in a bench's node started with {@link #NODE_POOL_PROPERTY}. */
    static boolean nodeOwnsPool() {
        return !"javalin".equals(System.getProperty(NODE_POOL_PROPERTY));
    }
}
