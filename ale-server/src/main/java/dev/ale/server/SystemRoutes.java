package dev.ale.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** What is not an API resource: the health check, Prometheus metrics, the OpenAPI spec, and the node's report to a cluster's front. */
final class SystemRoutes {

    static final String SPEC = "/dev/ale/server/openapi.yaml";

    private final Metrics metrics;
    private final Sandboxes sandboxes;
    private final Envs envs;
    private final byte[] spec;
    private final NodeReport node;

    SystemRoutes(Metrics metrics, Sandboxes sandboxes, Envs envs, NodeReport node) {
        this.node = node;
        this.metrics = metrics;
        this.sandboxes = sandboxes;
        this.envs = envs;
        this.spec = spec();
    }

    void register(Routes routes) {
        routes.get("/healthz", this::health);
        routes.get("/metrics", this::metrics);
        routes.get("/openapi.yaml", this::openapi);
        routes.get(Auth.NODE, ctx -> Routes.json(ctx, 200, node.json()));
    }

    private void health(Context ctx) {
        var json = Views.object();
        json.put("status", "ok");
        // every sandbox the server holds: those made through the API and those GEM episodes run in
        json.put("sandboxes", sandboxes.count() + envs.sandboxCount());
        json.put("envs", envs.count());
        Routes.json(ctx, 200, json);
    }

    private void metrics(Context ctx) {
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void openapi(Context ctx) {
        ctx.status(200).contentType("application/yaml").result(spec);
    }

    static byte[] spec() {
        try (InputStream in = SystemRoutes.class.getResourceAsStream(SPEC)) {
            if (in == null) throw new IllegalStateException(SPEC + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
