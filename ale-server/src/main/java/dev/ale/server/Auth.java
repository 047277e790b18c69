package dev.ale.server;

import dev.ale.server.console.Console;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Bearer tokens on every route but the health check and the spec: no token or an unknown one is
 * a 401. The caller it finds travels with the request for the handlers' scoping. A sandbox's own
 * model-proxy token is good for the model proxy's routes only (403 elsewhere).
 *
 * <p>With {@code rockCaller} set ({@code ale serve --rock-open-as NAME}), a call on ROCK's GEM
 * paths that carries no Authorization header at all acts as that env token: ROCK's stock client
 * sends none. A wrong token is still a 401. ROCK's {@code XRL-Authorization: Bearer TOKEN} is taken
 * as Authorization is, on every route; ROCK's {@code X-API-Key: TOKEN} on ROCK's paths.
 *
 * <p>A node of a cluster ({@link NodeSettings#clusterSecret()}) also wants the front's secret on
 * every call but a sandbox's own model-proxy call; with it alone the front reads the node's report.
 */
final class Auth {

    private static final String CALLER = "ale.caller";
    private static final Set<String> OPEN = Set.of("/healthz", "/openapi.yaml");
    static final Set<String> MODEL_PROXY = Set.of("/v1/chat/completions", "/v1/models");
    static final String ROCK_PREFIX = "/apis/v1/envs/gem/";
    static final String XRL = "XRL-Authorization";
    static final String API_KEY = "X-API-Key";
    private static final String ROCK_SANDBOX_PREFIX = "/apis/envs/sandbox/";
    static final String NODE = "/v1/node";

    /** The front polling a node's report: an admin by the secret, with no sandbox of its own. */
    private static final Caller FRONT = new Caller("cluster-front", true, OptionalInt.empty(), Optional.empty());

    private final Tokens tokens;
    private final Function<String, Optional<String>> sandboxTokens;
    private final Optional<Caller> rockCaller;
    private final Optional<byte[]> clusterSecret;

    Auth(Tokens tokens, Function<String, Optional<String>> sandboxTokens, Optional<Tokens.Token> rockOpenAs, Optional<String> clusterSecret) {
        this.tokens = tokens;
        this.clusterSecret = clusterSecret.map(s -> s.getBytes(StandardCharsets.UTF_8));
        this.sandboxTokens = sandboxTokens;
        this.rockCaller = rockOpenAs.map(Caller::of);
    }

    void check(Context ctx) {
        // the console has its own sign-in and session (dev.ale.server.console), not bearer tokens
        if (OPEN.contains(ctx.path()) || Console.owns(ctx.path())) return;
        boolean fromFront = clusterSecret.isPresent() && presented(ctx, clusterSecret.get());
        // the front's own capacity poll: the secret alone is its credential
        if (fromFront && ctx.path().equals(NODE)) {
            ctx.attribute(CALLER, FRONT);
            return;
        }
        // ROCK's SDK sends its token as XRL-Authorization; it is the same bearer token, taken alike. ROCK's newer
        // servers also take the bare key as X-API-Key (on ROCK's own paths only, where a ROCK client sends it)
        String header = Optional.ofNullable(ctx.header("Authorization")).or(() -> Optional.ofNullable(ctx.header(XRL)))
                .or(() -> rockPath(ctx.path()) ? Optional.ofNullable(ctx.header(API_KEY)).map(k -> "Bearer " + k) : Optional.empty())
                .orElse(null);
        if (header == null && rockCaller.isPresent() && ctx.path().startsWith(ROCK_PREFIX)) {
            ctx.attribute(CALLER, rockCaller.get());
            return;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) throw ApiError.unauthorized();
        String presented = header.substring(7).strip();
        Optional<Caller> caller = tokens.find(presented).map(Caller::of);
        if (caller.isEmpty()) caller = sandboxTokens.apply(presented).map(Caller::sandbox);
        Caller found = caller.orElseThrow(ApiError::unauthorized);
        if (found.sandbox().isPresent() && !MODEL_PROXY.contains(ctx.path())) {
            throw ApiError.forbidden("a sandbox's model-proxy token reaches only " + String.join(" and ", MODEL_PROXY.stream().sorted().toList()));
        }
        // a node of a cluster serves its front only; a sandbox's model calls come from its own gateway, without the secret
        if (clusterSecret.isPresent() && found.sandbox().isEmpty() && !fromFront) {
            throw new ApiError(401, "unauthorized", "this node serves its cluster's front only (" + NodeSettings.SECRET_HEADER
                    + " is missing or wrong); send the call to the front");
        }
        ctx.attribute(CALLER, found);
    }

    private static boolean rockPath(String path) {
        return path.startsWith(ROCK_PREFIX) || path.startsWith(ROCK_SANDBOX_PREFIX);
    }

    private static boolean presented(Context ctx, byte[] secret) {
        String given = ctx.header(NodeSettings.SECRET_HEADER);
        return given != null && MessageDigest.isEqual(secret, given.strip().getBytes(StandardCharsets.UTF_8));
    }

    static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) throw ApiError.unauthorized();
        return caller;
    }
}
