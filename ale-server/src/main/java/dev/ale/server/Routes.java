package dev.ale.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.AleException;
import dev.ale.server.rock.RockEnvelope;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.util.UUID;

/**
 * Where route groups meet Javalin: each group registers its handlers here, and every failure
 * becomes the same JSON error, {@code {"error": {"code": ..., "message": ...}}}. A client never
 * sees a stack trace; an unexpected failure is logged under an id the client is given.
 */
public final class Routes {

    private static final System.Logger LOG = System.getLogger(Routes.class.getName());

    private final Javalin app;

    Routes(Javalin app, Auth auth) {
        this.app = app;
        app.beforeMatched(auth::check);
        app.exception(ApiError.class, (e, ctx) -> {
            if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"ale\"");
            if (rock(ctx)) json(ctx, e.status(), RockEnvelope.failed(e.code().replace('_', ' '), e.getMessage()));
            else json(ctx, e.status(), Views.error(e.code(), e.getMessage()));
        });
        app.exception(HttpResponseException.class, (e, ctx) -> {
            if (rock(ctx)) json(ctx, e.getStatus(), RockEnvelope.failed(code(e.getStatus()).replace('_', ' '), e.getMessage()));
            else json(ctx, e.getStatus(), Views.error(code(e.getStatus()), e.getMessage()));
        });
        app.exception(AleException.class, (e, ctx) -> {
            if (e.fault() == AleException.Fault.INPUT) json(ctx, 400, Views.error("invalid_request", e.getMessage()));
            else unexpected(ctx, e);
        });
        app.exception(Exception.class, (e, ctx) -> unexpected(ctx, e));
    }

    /** ROCK's sandbox API answers even its refusals (a missing token, a wrong method) in its own envelope. */
    private static boolean rock(Context ctx) {
        return ctx.path().startsWith(RockSandboxRoutes.PREFIX + "/");
    }

    /** Every route group of the server, registered in one place. */
    static void wire(Routes routes, SystemRoutes system, SandboxRoutes sandboxes, RockSandboxRoutes rock, EnvRoutes envs, ModelProxyRoutes model) {
        system.register(routes);
        sandboxes.register(routes);
        rock.register(routes);
        envs.register(routes);
        model.register(routes);
    }

    void get(String path, Handler handler) {
        app.get(path, handler);
    }

    void post(String path, Handler handler) {
        app.post(path, handler);
    }

    void put(String path, Handler handler) {
        app.put(path, handler);
    }

    void delete(String path, Handler handler) {
        app.delete(path, handler);
    }

    static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(Bodies.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private static void unexpected(Context ctx, Exception e) {
        String id = UUID.randomUUID().toString();
        LOG.log(System.Logger.Level.ERROR, "request " + id + " (" + ctx.method() + " " + ctx.path() + ") failed", e);
        json(ctx, 500, Views.error("internal", "the server failed on this request (error id " + id + "); its log has the details"));
    }

    private static String code(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "too_large";
            default -> status < 500 ? "bad_request" : "internal";
        };
    }
}
