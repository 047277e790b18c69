package dev.ale.server;

import dev.ale.server.console.Console;
import io.javalin.http.Context;
import java.util.Optional;
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
 * as Authorization is, on every route.
 */
final class Auth {

    private static final String CALLER = "ale.caller";
    private static final Set<String> OPEN = Set.of("/healthz", "/openapi.yaml");
    static final Set<String> MODEL_PROXY = Set.of("/v1/chat/completions", "/v1/models");
    static final String ROCK_PREFIX = "/apis/v1/envs/gem/";
    static final String XRL = "XRL-Authorization";

    private final Tokens tokens;
    private final Function<String, Optional<String>> sandboxTokens;
    private final Optional<Caller> rockCaller;

    Auth(Tokens tokens, Function<String, Optional<String>> sandboxTokens, Optional<Tokens.Token> rockOpenAs) {
        this.tokens = tokens;
        this.sandboxTokens = sandboxTokens;
        this.rockCaller = rockOpenAs.map(Caller::of);
    }

    void check(Context ctx) {
        // the console has its own sign-in and session (dev.ale.server.console), not bearer tokens
        if (OPEN.contains(ctx.path()) || Console.owns(ctx.path())) return;
        // ROCK's SDK sends its token as XRL-Authorization; it is the same bearer token, taken alike
        String header = Optional.ofNullable(ctx.header("Authorization")).orElse(ctx.header(XRL));
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
        ctx.attribute(CALLER, found);
    }

    static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) throw ApiError.unauthorized();
        return caller;
    }
}
