package dev.ale.server;

import dev.ale.core.sandbox.ExecRequest.Workload;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.containment.GuardedSandbox.GuardedSession;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.Locale;

/**
 * {@code /v1/sandboxes}: make, list and remove sandboxes, run commands and shell sessions in them,
 * move files, and watch their SafetyEvents. Every sandbox comes from {@code GuardedBackend}, so the
 * gateway, the monitor, the kill switch and the audit log apply to all of it.
 */
final class SandboxRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("passport", "labels", "idle_timeout_seconds");
    private static final Set<String> EXEC_FIELDS = Set.of("argv", "command", "env", "cwd", "stdin", "timeout_seconds", "heavy_cpu");
    private static final Set<String> RUN_FIELDS = Set.of("command", "timeout_seconds", "heavy_cpu");
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    private static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    private static final int MAX_LABELS = 64;
    private static final int MAX_LABEL_VALUE = 256;

    private final Sandboxes sandboxes;
    private final Passports passports;
    private final Metrics metrics;
    private final Duration defaultIdle;

    SandboxRoutes(Sandboxes sandboxes, Passports passports, Metrics metrics, Duration defaultIdle) {
        this.sandboxes = sandboxes;
        this.passports = passports;
        this.metrics = metrics;
        this.defaultIdle = defaultIdle;
    }

    void register(Routes routes) {
        routes.post("/v1/sandboxes", this::create);
        routes.get("/v1/sandboxes", this::list);
        routes.get("/v1/sandboxes/{id}", this::get);
        routes.delete("/v1/sandboxes/{id}", this::delete);
        routes.post("/v1/sandboxes/{id}/exec", this::exec);
        routes.post("/v1/sandboxes/{id}/sessions", this::openSession);
        routes.post("/v1/sandboxes/{id}/sessions/{sid}/run", this::runInSession);
        routes.delete("/v1/sandboxes/{id}/sessions/{sid}", this::closeSession);
        routes.get("/v1/sandboxes/{id}/files", this::readFile);
        routes.put("/v1/sandboxes/{id}/files", this::writeFile);
        routes.post("/v1/sandboxes/{id}/files/upload", this::upload);
        routes.get("/v1/sandboxes/{id}/files/list", this::listFiles);
        routes.get("/v1/sandboxes/{id}/events", this::events);
    }

    private void create(Context ctx) {
        Fields f = Fields.of(Bodies.object(ctx), CREATE_FIELDS);
        Passport passport = passports.resolve(f.node("passport"), Auth.caller(ctx).admin());
        Map<String, String> labels = labels(f);
        Duration idle = f.seconds("idle_timeout_seconds", MAX_TIMEOUT).orElse(defaultIdle);
        Hosted h = sandboxes.create(Auth.caller(ctx), new SandboxRequest(passport, labels, false), idle);
        Routes.json(ctx, 201, Views.sandbox(h));
    }

    private static Map<String, String> labels(Fields f) {
        Map<String, String> labels = f.stringMap("labels").orElse(Map.of());
        if (labels.size() > MAX_LABELS) throw ApiError.invalidField("labels", "at most " + MAX_LABELS + " labels");
        labels.forEach((k, v) -> {
            if (!LABEL_KEY.matcher(k).matches()) throw ApiError.invalidField("labels." + k, "a label name is 1-63 of A-Z a-z 0-9 . _ / -");
            if (v.length() > MAX_LABEL_VALUE || v.indexOf('\0') >= 0) {
                throw ApiError.invalidField("labels." + k, "a label value is at most " + MAX_LABEL_VALUE + " characters, without NUL");
            }
        });
        return labels;
    }

    private void list(Context ctx) {
        Routes.json(ctx, 200, Views.sandboxes(sandboxes.list(Auth.caller(ctx))));
    }

    private void get(Context ctx) {
        Routes.json(ctx, 200, Views.sandbox(find(ctx)));
    }

    private void delete(Context ctx) {
        sandboxes.destroy(find(ctx));
        ctx.status(204);
    }

    private void exec(Context ctx) {
        Hosted h = find(ctx);
        boolean stream = streamParam(ctx);
        Fields f = Fields.of(Bodies.object(ctx), EXEC_FIELDS);
        ExecRequest request = execRequest(f);
        boolean heavy = f.bool("heavy_cpu").orElse(false);
        usable(h);
        if (!stream) {
            ExecResult r = timed(() -> h.call(() -> h.guarded().exec(request.withWorkload(heavy ? Workload.CPU_HEAVY : Workload.ORDINARY))));
            Routes.json(ctx, 200, Views.execResult(r));
            return;
        }
        Sse sse = Sse.start(ctx);
        Utf8Chunks out = new Utf8Chunks();
        Utf8Chunks err = new Utf8Chunks();
        OutputListener listener = (which, bytes, length) -> {
            boolean isOut = which == OutputListener.Stream.STDOUT;
            chunk(sse, isOut ? "stdout" : "stderr", (isOut ? out : err).decode(bytes, length));
        };
        try {
            Workload workload = heavy ? Workload.CPU_HEAVY : Workload.ORDINARY;
            ExecResult r = timed(() -> h.call(() -> h.guarded().exec(request.withListener(listener).withWorkload(workload))));
            chunk(sse, "stdout", out.finish());
            chunk(sse, "stderr", err.finish());
            sse.send("result", Views.execResult(r));
        } catch (ApiError e) {
            sse.send("error", Views.error(e.code(), e.getMessage()));
        } catch (AleException e) {
            sse.send("error", Views.error(e.fault() == AleException.Fault.INPUT ? "invalid_request" : "sandbox_failed", e.getMessage()));
        }
    }

    private static void chunk(Sse sse, String event, String text) {
        if (text.isEmpty()) return;
        ObjectNode data = Views.object();
        data.put("text", text);
        sse.send(event, data);
    }

    private static boolean streamParam(Context ctx) {
        String v = ctx.queryParam("stream");
        if (v == null || v.equals("false")) return false;
        if (v.equals("true")) return true;
        throw ApiError.invalidField("stream", "must be true or false");
    }

    private static ExecRequest execRequest(Fields f) {
        Optional<List<String>> argv = f.strings("argv");
        Optional<String> command = f.string("command");
        if (argv.isPresent() == command.isPresent()) throw ApiError.invalidField("argv", "give exactly one of argv (a list) and command (a shell line)");
        List<String> words = argv.orElseGet(() -> List.of("/bin/sh", "-c", command.get()));
        if (words.isEmpty()) throw ApiError.invalidField("argv", "must not be empty");
        for (int i = 0; i < words.size(); i++) noNul(argv.isPresent() ? "argv[" + i + "]" : "command", words.get(i));
        Map<String, String> env = f.stringMap("env").orElse(Map.of());
        env.forEach((k, v) -> {
            if (k.isEmpty() || k.indexOf('=') >= 0) throw ApiError.invalidField("env." + k, "a variable name must be non-empty and without '='");
            noNul("env." + k, k + v);
        });
        Optional<String> cwd = f.string("cwd");
        if (cwd.isPresent()) {
            noNul("cwd", cwd.get());
            if (!cwd.get().startsWith("/")) throw ApiError.invalidField("cwd", "must be an absolute path");
        }
        byte[] stdin = f.string("stdin").map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        Optional<Duration> timeout = f.seconds("timeout_seconds", MAX_TIMEOUT);
        return new ExecRequest(words, env, cwd, stdin, timeout, OutputListener.NONE);
    }

    private static void noNul(String field, String value) {
        if (value.indexOf('\0') >= 0) throw ApiError.invalidField(field, "must not contain NUL");
    }

    private void openSession(Context ctx) {
        Hosted h = find(ctx);
        usable(h);
        ObjectNode json = Views.object();
        json.put("session_id", h.openSession());
        Routes.json(ctx, 201, json);
    }

    private void runInSession(Context ctx) {
        Hosted h = find(ctx);
        GuardedSession session = session(ctx, h);
        Fields f = Fields.of(Bodies.object(ctx), RUN_FIELDS);
        String command = f.string("command").orElseThrow(() -> ApiError.invalidField("command", "is required"));
        noNul("command", command);
        Duration timeout = f.seconds("timeout_seconds", MAX_TIMEOUT).orElse(DEFAULT_SESSION_TIMEOUT);
        boolean heavy = f.bool("heavy_cpu").orElse(false);
        usable(h);
        ExecResult r = timed(() -> h.call(() -> session.run(command, Optional.of(timeout), heavy ? Workload.CPU_HEAVY : Workload.ORDINARY,
                OutputListener.NONE)));
        Routes.json(ctx, 200, Views.execResult(r));
    }

    private void closeSession(Context ctx) {
        Hosted h = find(ctx);
        if (!h.closeSession(ctx.pathParam("sid"))) throw ApiError.notFound("no session " + ctx.pathParam("sid") + " in sandbox " + h.id());
        h.touch();
        ctx.status(204);
    }

    private static GuardedSession session(Context ctx, Hosted h) {
        String sid = ctx.pathParam("sid");
        return h.session(sid).orElseThrow(() -> ApiError.notFound("no session " + sid + " in sandbox " + h.id()));
    }

    private void readFile(Context ctx) {
        Hosted h = find(ctx);
        String path = path(ctx, Optional.empty());
        usable(h);
        byte[] bytes = h.call(() -> h.guarded().files().read(path));
        ctx.status(200).contentType("application/octet-stream").result(bytes);
    }

    private void writeFile(Context ctx) {
        Hosted h = find(ctx);
        String path = path(ctx, Optional.empty());
        byte[] body = Bodies.bytes(ctx, Bodies.FILE_LIMIT);
        usable(h);
        h.call(() -> {
            h.guarded().files().write(path, body);
            return null;
        });
        ObjectNode json = Views.object();
        json.put("path", path);
        json.put("size", body.length);
        Routes.json(ctx, 200, json);
    }

    /** A tar archive unpacked into a directory, by tar inside the sandbox as the agent's user (never by the host). */
    private void upload(Context ctx) {
        Hosted h = find(ctx);
        String dir = path(ctx, Optional.empty());
        if (!dir.startsWith("/")) dir = "/workspace/" + dir;
        if (!(dir.equals("/workspace") || dir.startsWith("/workspace/") || dir.equals("/tmp") || dir.startsWith("/tmp/")) || dir.contains("/../")
                || dir.endsWith("/..")) {
            throw ApiError.invalidField("path", "must be a directory under /workspace or /tmp");
        }
        byte[] tar = Bodies.bytes(ctx, Bodies.FILE_LIMIT);
        usable(h);
        ExecRequest unpack = ExecRequest.of("/bin/sh", "-c", "mkdir -p -- \"$1\" && exec tar -x --no-same-owner --no-same-permissions -f - -C \"$1\"",
                "ale-upload", dir).withStdin(tar).withTimeout(Duration.ofMinutes(2));
        ExecResult r = h.call(() -> h.guarded().exec(unpack));
        if (r.exitCode() != 0) throw new ApiError(400, "upload_failed", "tar could not unpack the body into " + dir + ": " + r.stderr().strip());
        ObjectNode json = Views.object();
        json.put("path", dir);
        json.put("size", tar.length);
        Routes.json(ctx, 200, json);
    }

    private void listFiles(Context ctx) {
        Hosted h = find(ctx);
        String path = path(ctx, Optional.of("/workspace"));
        usable(h);
        Routes.json(ctx, 200, Views.files(path, h.call(() -> h.guarded().files().list(path))));
    }

    private static String path(Context ctx, Optional<String> fallback) {
        String path = ctx.queryParam("path");
        if (path == null || path.isEmpty()) return fallback.orElseThrow(() -> ApiError.invalidField("path", "the query parameter is required"));
        noNul("path", path);
        return path;
    }

    /** The sandbox's SafetyEvents so far, then each new one as it comes, until the sandbox goes or the client does. */
    private void events(Context ctx) throws InterruptedException {
        Hosted h = find(ctx);
        Sse sse = Sse.start(ctx);
        int sent = 0;
        while (sse.open()) {
            var all = h.events();
            for (; sent < all.size(); sent++) sse.send("safety_event", Views.event(all.get(sent)));
            if (h.closed()) {
                ObjectNode end = Views.object();
                end.put("reason", "sandbox removed");
                sse.send("end", end);
                return;
            }
            int seen = sent;
            Instant before = Instant.now();
            h.awaitChange(seen, HEARTBEAT);
            if (h.events().size() == seen && !h.closed() && Duration.between(before, Instant.now()).compareTo(HEARTBEAT) >= 0) sse.heartbeat();
        }
    }

    private Hosted find(Context ctx) {
        Hosted h = sandboxes.find(Auth.caller(ctx), ctx.pathParam("id"));
        h.touch();
        return h;
    }

    /** A killed or expired sandbox refuses commands: say so as a conflict, not as a bad request. */
    private static void usable(Hosted h) {
        SandboxInfo info = h.guarded().info();
        if (info.state() != SandboxInfo.State.RUNNING) {
            throw new ApiError(409, "sandbox_not_running", "sandbox " + h.id() + " is " + info.state().name().toLowerCase(Locale.ROOT)
                    + info.killReason().map(r -> " (" + r + ")").orElse("") + "; delete it and make a new one");
        }
    }

    private <T extends ExecResult> T timed(Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            metrics.exec(Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
