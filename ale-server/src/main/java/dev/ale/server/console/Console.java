package dev.ale.server.console;

import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.monitor.audit.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The live console at {@code /ui}: a sign-in with a server token, then the fleet, one sandbox with
 * its live events and a kill button, the audit log, holds and passports. Its sessions live in the
 * server (the cookie holds a random id, HttpOnly, SameSite=Strict, Secure over TLS); every POST
 * carries the session's CSRF token; every page is sent with a strict Content-Security-Policy;
 * every action taken is an audit record naming the token that took it.
 */
public final class Console implements AutoCloseable {

    /** Every console path starts here; the API's bearer-token check leaves them to the console. */
    public static final String PREFIX = "/ui";

    /** How long a sign-in lasts, and the clock that tells (a test moves it). */
    public record Settings(Duration sessionLifetime, Clock clock) {

        public Settings {
            Objects.requireNonNull(clock, "clock");
            if (sessionLifetime.isNegative() || sessionLifetime.isZero()) throw new IllegalArgumentException("session lifetime must be positive");
        }

        public static Settings defaults() {
            return new Settings(Duration.ofHours(8), Clock.systemUTC());
        }
    }

    static final String COOKIE = "ale_console";
    static final String LOGIN_COOKIE = "ale_console_login";
    private static final String SESSION = "ale.console.session";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Map<String, String> STATIC = Map.of("console.js", "text/javascript; charset=utf-8", "console.css", "text/css; charset=utf-8");

    private final Sessions sessions;
    private final ConsoleAudit audit;
    private final Pages pages;

    private Console(Sessions sessions, ConsoleAudit audit, Pages pages) {
        this.sessions = sessions;
        this.audit = audit;
        this.pages = pages;
    }

    /** Whether {@code path} is the console's (and not the API's). */
    public static boolean owns(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /**
     * Registers the console's routes on {@code app}, reading the server through {@code source}.
     */
    public static Console mount(Javalin app, ConsoleSource source, Settings settings) {
        Sessions sessions = new Sessions(settings.sessionLifetime(), settings.clock());
        ConsoleAudit audit = new ConsoleAudit(AuditLog.open(source.containment().auditFile()));
        NetworkLog network = new NetworkLog();
        source.containment().listenNetwork(network::add);
        LiveEvents live = new LiveEvents();
        source.containment().listen(e -> live.changed());
        Console console = new Console(sessions, audit, new Pages(source, new Holds(source::api), network, live, audit.log()));
        console.register(app);
        return console;
    }

    private void register(Javalin app) {
        app.before(ctx -> {
            if (owns(ctx.path())) guard(ctx);
        });
        app.exception(ConsoleRefusal.class, (e, ctx) -> {
            ctx.status(e.status()).contentType("text/html; charset=utf-8").result(Page.signedOut(e.title()).message(e.getMessage())
                    .raw("<p><a href=\"/ui/fleet\">Back to the fleet</a></p>").html());
        });
        app.get(PREFIX, ctx -> ctx.redirect("/ui/fleet", io.javalin.http.HttpStatus.SEE_OTHER));
        app.get(PREFIX + "/static/{file}", this::asset);
        app.get(PREFIX + "/login", this::loginForm);
        app.post(PREFIX + "/login", this::login);
        app.post(PREFIX + "/logout", this::logout);
        app.get(PREFIX + "/fleet", ctx -> html(ctx, pages.fleet(session(ctx), ctx)));
        app.get(PREFIX + "/sandboxes/{id}", ctx -> html(ctx, pages.sandbox(session(ctx), ctx.pathParam("id"), ctx)));
        app.get(PREFIX + "/sandboxes/{id}/stream", ctx -> pages.stream(session(ctx), ctx.pathParam("id"), ctx));
        app.post(PREFIX + "/sandboxes/{id}/kill", this::kill);
        app.get(PREFIX + "/audit", ctx -> html(ctx, pages.audit(session(ctx), ctx)));
        app.get(PREFIX + "/holds", ctx -> html(ctx, pages.holds(session(ctx), ctx)));
        app.post(PREFIX + "/holds/{id}/approve", ctx -> decide(ctx, true));
        app.post(PREFIX + "/holds/{id}/deny", ctx -> decide(ctx, false));
        app.get(PREFIX + "/passports/{id}", ctx -> html(ctx, pages.passport(session(ctx), ctx.pathParam("id"), ctx)));
    }

    /**
     * Before every console request: the security headers, then the session. A page asked for
     * without a live session goes to the sign-in; any POST but the sign-in's needs a live session
     * and its CSRF token, or it is refused with 403 before its handler runs.
     */
    private void guard(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        String path = ctx.path();
        if (path.startsWith(PREFIX + "/static/") || path.equals(PREFIX + "/login") || path.equals(PREFIX)) return;
        Optional<Sessions.Session> session = cookie(ctx, COOKIE).flatMap(sessions::find);
        if (ctx.method() == HandlerType.POST) {
            if (session.isEmpty()) throw new ConsoleRefusal(403, "Refused", "no live console session: sign in again");
            String presented = Optional.ofNullable(ctx.formParam("_csrf")).orElse("");
            if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), session.get().csrf().getBytes(StandardCharsets.UTF_8))) {
                throw new ConsoleRefusal(403, "Refused", "the form's CSRF token is missing or wrong; reload the page and try again");
            }
        } else if (session.isEmpty()) {
            if (path.endsWith("/stream")) throw new ConsoleRefusal(401, "Signed out", "no live console session");
            ctx.redirect("/ui/login", io.javalin.http.HttpStatus.SEE_OTHER);
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute(SESSION, session.get());
    }

    private static Sessions.Session session(Context ctx) {
        Sessions.Session s = ctx.attribute(SESSION);
        if (s == null) throw new ConsoleRefusal(401, "Signed out", "no live console session");
        return s;
    }

    private void loginForm(Context ctx) {
        String nonce = Sessions.random();
        // the sign-in form's own token, against a page elsewhere signing a browser in as someone else
        ctx.header("Set-Cookie", cookie(ctx, LOGIN_COOKIE, nonce, PREFIX + "/login", Optional.of(Duration.ofMinutes(30))));
        Page p = Page.signedOut("Sign in");
        Optional.ofNullable(ctx.queryParam("done")).filter("signed-out"::equals).ifPresent(d -> p.message("Signed out."));
        p.raw("<form method=\"post\" action=\"/ui/login\" id=\"login\"><input type=\"hidden\" name=\"_login\" value=\"").text(nonce)
                .raw("\"><label>Token <input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"off\" required></label>")
                .raw(" <button type=\"submit\" id=\"sign-in\">Sign in</button></form>")
                .raw("<p>An admin token sees every sandbox; an env token sees the sandboxes it made.</p>");
        html(ctx, p.html());
    }

    private void login(Context ctx) {
        String nonce = cookie(ctx, LOGIN_COOKIE).orElse("");
        String field = Optional.ofNullable(ctx.formParam("_login")).orElse("");
        if (nonce.isEmpty() || !MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8))) {
            throw new ConsoleRefusal(403, "Refused", "the sign-in form is stale or came from elsewhere; open /ui/login and sign in there");
        }
        Optional<Principal> who = pages.source().signIn(Optional.ofNullable(ctx.formParam("token")).orElse("").strip());
        if (who.isEmpty()) {
            ctx.status(401);
            html(ctx, Page.signedOut("Sign in").message("That is not a token of this server.")
                    .raw("<p><a href=\"/ui/login\">Try again</a></p>").html());
            return;
        }
        Sessions.Session s = sessions.open(who.get());
        audit.record(who.get(), "sign-in", Optional.empty(), "ok");
        ctx.res().addHeader("Set-Cookie", cookie(ctx, COOKIE, s.id(), PREFIX, Optional.of(sessions.lifetime())));
        ctx.res().addHeader("Set-Cookie", cookie(ctx, LOGIN_COOKIE, "", PREFIX + "/login", Optional.of(Duration.ZERO)));
        ctx.redirect("/ui/fleet", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        Sessions.Session s = session(ctx);
        sessions.close(s.id());
        audit.record(s.principal(), "sign-out", Optional.empty(), "ok");
        ctx.header("Set-Cookie", cookie(ctx, COOKIE, "", PREFIX, Optional.of(Duration.ZERO)));
        ctx.redirect("/ui/login?done=signed-out", io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void kill(Context ctx) {
        Sessions.Session s = session(ctx);
        String id = ctx.pathParam("id");
        ConsoleSource.Served h = pages.source().sandbox(s.principal(), id)
                .orElseThrow(() -> new ConsoleRefusal(404, "Not found", "no sandbox " + id));
        // a second kill (two operators, or a stale page) must not overwrite the reason of the first
        boolean running = h.guarded().info().state() == SandboxInfo.State.RUNNING;
        if (running) h.guarded().kill("killed from the console by " + s.principal().name());
        audit.record(s.principal(), "kill", Optional.of(id), running ? "ok" : "not running");
        ctx.redirect("/ui/sandboxes/" + Html.segment(id) + "?done=" + (running ? "killed" : "not-running"), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void decide(Context ctx, boolean approve) {
        Sessions.Session s = session(ctx);
        String holdId = ctx.pathParam("id");
        Holds.Outcome outcome = pages.holdsApi().decide(s.principal(), holdId, approve);
        String action = approve ? "approve" : "deny";
        audit.record(s.principal(), action, Optional.empty(), "hold " + holdId + ": " + outcome.name().toLowerCase(Locale.ROOT));
        String done = switch (outcome) {
            case DECIDED -> approve ? "approved" : "denied";
            case ALREADY_DECIDED -> "already-decided";
            case NOT_FOUND -> "no-such-hold";
            case UNAVAILABLE -> "holds-unavailable";
        };
        ctx.redirect("/ui/holds?done=" + done, io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void asset(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = STATIC.get(file);
        if (type == null) throw new ConsoleRefusal(404, "Not found", "no such file");
        try (InputStream in = Console.class.getResourceAsStream(file)) {
            if (in == null) throw new UncheckedIOException(new IOException(file + " is missing from the jar"));
            ctx.status(200).contentType(type).result(in.readAllBytes());
        }
    }

    /** A cookie's value, read from the request's Cookie headers as sent (the first of that name). */
    static Optional<String> cookie(Context ctx, String name) {
        for (String header : Collections.list(ctx.req().getHeaders("Cookie"))) {
            for (String pair : header.split(";")) {
                String p = pair.strip();
                if (p.startsWith(name + "=")) return Optional.of(p.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static void html(Context ctx, String html) {
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    /** A cookie only this console reads: never visible to script, never sent from another site, Secure when served over TLS. */
    private static String cookie(Context ctx, String name, String value, String path, Optional<Duration> maxAge) {
        StringBuilder c = new StringBuilder(name).append('=').append(value).append("; Path=").append(path).append("; HttpOnly; SameSite=Strict");
        maxAge.ifPresent(age -> c.append("; Max-Age=").append(age.toSeconds()));
        if (ctx.req().isSecure() || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"))) c.append("; Secure");
        return c.toString();
    }

    @Override
    public void close() {
        audit.close();
    }
}
