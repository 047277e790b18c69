package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.containment.GuardedSandbox.GuardedSession;
import dev.ale.core.AleException;
import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecRequest.Workload;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.server.rock.RockEnvelope;
import dev.ale.server.rock.RockException;
import dev.ale.server.rock.RockFields;
import dev.ale.server.rock.RockMemory;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * ROCK's sandbox API ({@code /apis/envs/sandbox/v1/*}), answered by ALE's own guarded sandboxes:
 * the same {@link Sandboxes}, scoping, quota, monitor and audit as {@code /v1/sandboxes}. Bodies
 * and results are ROCK's; every answer is ROCK's envelope, a refusal {@code Failed} over HTTP 200
 * as ROCK answers it. What ALE cannot honour (commit, proxy, …) is {@code Failed} with why.
 */
final class RockSandboxRoutes {

    static final String PREFIX = "/apis/envs/sandbox/v1";

    private static final System.Logger LOG = System.getLogger(RockSandboxRoutes.class.getName());
    private static final Set<String> START_FIELDS = Set.of("image", "image_os", "auto_clear_time", "auto_clear_time_minutes", "pull",
            "memory", "cpus", "limit_cpus", "disk", "num_gpus", "startup_timeout", "registry_username", "registry_password", "use_kata_runtime",
            "operator_type", "passport");
    /** The smallest workspace a passport may have, so the smallest disk a start may ask. */
    private static final long MIN_DISK = 1L << 20;
    private static final Set<String> EXECUTE_FIELDS = Set.of("command", "timeout", "shell", "check", "error_msg", "env", "cwd", "sandbox_id",
            "session_type");
    private static final Set<String> CREATE_SESSION_FIELDS = Set.of("session", "startup_source", "env_enable", "env", "startup_timeout",
            "max_read_size", "sandbox_id", "session_type");
    private static final Set<String> RUN_FIELDS = Set.of("action_type", "command", "session", "timeout", "check", "sandbox_id",
            "is_interactive_command", "is_interactive_quit", "error_msg", "expect");
    private static final Set<String> CLOSE_SESSION_FIELDS = Set.of("session", "session_type", "sandbox_id");
    private static final Set<String> READ_FIELDS = Set.of("path", "encoding", "errors", "sandbox_id");
    private static final Set<String> WRITE_FIELDS = Set.of("content", "path", "sandbox_id");
    private static final Set<String> ID_FIELDS = Set.of("sandbox_id");
    private static final Set<String> BATCH_FIELDS = Set.of("sandbox_ids");
    /** The query parameters ROCK's list filters by, each compared with the status field of the same name. */
    private static final List<String> LIST_FILTERS = List.of("user_id", "experiment_id", "namespace", "image", "state");
    /** Most ids in one batch and most sandboxes on one page of the list: a bound on one answer, not on the fleet. */
    private static final int MAX_PAGE = 1000;
    private static final int DEFAULT_PAGE_SIZE = 100;
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** ROCK's default for execute. */
    private static final Duration EXECUTE_TIMEOUT = Duration.ofSeconds(1200);
    /** ROCK sends no timeout for a session command by default; ALE bounds it all the same. */
    private static final Duration SESSION_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String DEFAULT_SESSION = "default";

    private final Sandboxes sandboxes;
    private final Passports passports;
    private final Metrics metrics;
    private final Duration defaultIdle;
    private final String hostName;
    private final RockStarts starts;

    RockSandboxRoutes(Sandboxes sandboxes, Passports passports, Metrics metrics, Duration defaultIdle) {
        this.sandboxes = sandboxes;
        this.starts = new RockStarts(sandboxes);
        this.passports = passports;
        this.metrics = metrics;
        this.defaultIdle = defaultIdle;
        this.hostName = hostName();
    }

    /** A refusal of a route ALE does not offer, with the reason a ROCK user needs. */
    private record Unoffered(String method, String path, String what, String why) {
    }

    private static final List<Unoffered> UNOFFERED = List.of(
            new Unoffered("POST", "/commit", "commit sandbox", "ALE does not commit a sandbox to an image; copy what you need out with read_file"),
            new Unoffered("POST", "/restart", "restart sandbox", "ALE does not restart a sandbox; stop it and start a new one"),
            new Unoffered("POST", "/sandboxes/{sandbox_id}/restart", "restart sandbox", "ALE does not restart a sandbox; stop it and start a new one"),
            new Unoffered("POST", "/sandboxes/{sandbox_id}/archive", "archive sandbox", "ALE does not archive sandboxes; a stopped sandbox is gone"),
            new Unoffered("GET", "/sandboxes/{sandbox_id}/mount-infos", "get mount infos", "ALE does not mount host paths into a sandbox"),
            new Unoffered("GET", "/get_sandbox_statistics", "get sandbox statistics", "ALE serves a sandbox's metrics at /metrics, not here"),
            new Unoffered("GET", "/get_token", "get token", "ALE has no object store; send files with upload or write_file"),
            new Unoffered("GET", "/get_nacos_config", "get nacos config", "ALE has no Nacos; its settings are ale serve's options"),
            new Unoffered("GET", "/proxy/{sandbox_id}/<path>", "proxy", "ALE does not proxy into a sandbox: nothing outside reaches a sandbox's"
                    + " network but ALE's own API (docs/gateway.md); run the request inside it with execute"),
            new Unoffered("POST", "/proxy/{sandbox_id}/<path>", "proxy", "ALE does not proxy into a sandbox: nothing outside reaches a sandbox's"
                    + " network but ALE's own API (docs/gateway.md); run the request inside it with execute"));

    void register(Routes routes) {
        routes.post(PREFIX + "/start", rock("start sandbox", this::start));
        routes.post(PREFIX + "/start_async", rock("async start sandbox", this::startAsync));
        routes.get(PREFIX + "/get_status", rock("get sandbox status", this::status));
        routes.get(PREFIX + "/is_alive", rock("get sandbox is alive", this::isAlive));
        routes.post(PREFIX + "/execute", rock("execute command", this::execute));
        routes.post(PREFIX + "/create_session", rock("create session", this::createSession));
        routes.post(PREFIX + "/run_in_session", rock("run in session", this::runInSession));
        routes.post(PREFIX + "/close_session", rock("close session", this::closeSession));
        routes.post(PREFIX + "/read_file", rock("read file", this::readFile));
        routes.post(PREFIX + "/write_file", rock("write file", this::writeFile));
        routes.post(PREFIX + "/upload", rock("upload file", this::upload));
        routes.post(PREFIX + "/stop", rock("stop sandbox", this::stop));
        routes.post(PREFIX + "/delete", rock("delete sandbox", this::delete));
        routes.post(PREFIX + "/sandboxes/batch", rock("batch get sandbox status", this::batchStatus));
        routes.get(PREFIX + "/sandboxes", rock("list sandboxes", this::list));
        for (Unoffered u : UNOFFERED) {
            Handler refuse = rock(u.what(), ctx -> {
                throw new RockException(u.why());
            });
            if (u.method().equals("GET")) routes.get(PREFIX + u.path(), refuse);
            else routes.post(PREFIX + u.path(), refuse);
        }
    }

    private interface Call {
        JsonNode run(Context ctx);
    }

    /** Every answer in ROCK's envelope; every refusal {@code Failed} over HTTP 200, as ROCK's own server answers. */
    private static Handler rock(String what, Call call) {
        return ctx -> {
            ObjectNode reply;
            try {
                reply = RockEnvelope.success(call.run(ctx));
            } catch (RockException e) {
                reply = RockEnvelope.failed(what + " failed", e.getMessage());
            } catch (ApiError e) {
                reply = RockEnvelope.failed(what + " failed", e.getMessage());
            } catch (AleException e) {
                reply = RockEnvelope.failed(what + " failed", e.getMessage());
            } catch (RuntimeException e) {
                String id = UUID.randomUUID().toString();
                LOG.log(System.Logger.Level.ERROR, "ROCK request " + id + " (" + ctx.method() + " " + ctx.path() + ") failed", e);
                reply = RockEnvelope.failed(what + " failed", "the server failed on this request (error id " + id + "); its log has the details");
            }
            Routes.json(ctx, 200, reply);
        };
    }

    /** What a start asks for, checked and bounded: the sandbox to make and what the answer says was granted. */
    private record Granted(Caller caller, SandboxRequest request, Duration idle, double cpus, long memory, long disk) {
    }

    private Granted granted(Context ctx, String route) {
        RockFields f = RockFields.of(Bodies.object(ctx), START_FIELDS, route);
        Optional<String> image = f.string("image").filter(s -> !s.isBlank()).map(String::strip);
        Caller caller = Auth.caller(ctx);
        Passport base = withImage(passports.resolve(f.node("passport"), caller.admin()), image, caller);
        Resources r = base.resources();
        // ROCK's cpus are shares and limit_cpus the hard limit; ALE's cpus are a hard limit (cpu.max), so limit_cpus is that where given
        String cpuField = f.has("limit_cpus") ? "limit_cpus" : "cpus";
        double cpus = f.number(cpuField).orElse(r.cpus());
        if (!(cpus > 0) || Double.isInfinite(cpus)) throw new RockException(cpuField + ": must be a positive number, not " + cpus);
        long memory = size(f, "memory").orElse(r.memoryBytes());
        long disk = size(f, "disk").orElse(r.workspaceBytes());
        if (disk < MIN_DISK) throw new RockException("disk: at least " + RockMemory.format(MIN_DISK) + ", not " + RockMemory.format(disk));
        // the passport bounds what an env token may ask for, as it bounds everything else; an admin may write passports anyway
        if (!caller.admin()) {
            cpus = Math.min(cpus, r.cpus());
            memory = Math.min(memory, r.memoryBytes());
            disk = Math.min(disk, r.workspaceBytes());
        }
        double gpus = f.number("num_gpus").orElse(0);
        if (gpus > 0 && !base.devices().gpu()) {
            throw new RockException("num_gpus: passport " + base.id() + " grants no GPU (devices: gpu: false); name a passport that grants one");
        }
        Passport passport = base.withResources(r.withSizes(cpus, memory, disk));
        Duration idle = clearTime(f).orElse(defaultIdle);
        return new Granted(caller, new SandboxRequest(passport, Map.of("api", "rock"), false), idle, cpus, memory, disk);
    }

    /**
     * ROCK's {@code image} roots the sandbox in that image (pulled through the server's image store
     * when it is not there yet). The passport still decides: an env token may name an image only where
     * its passport names none or the same one, since a passport's root is part of its policy.
     */
    private static Passport withImage(Passport base, Optional<String> image, Caller caller) {
        if (image.isEmpty()) return base;
        String name = image.get();
        if (name.length() > 255 || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            String shown = name.length() > 80 ? name.substring(0, 80) + "…" : name;
            throw new RockException("image: '" + shown + "' is not an image name (no spaces, at most 255 characters; e.g. python:3.11)");
        }
        FilesystemRules fs = base.filesystem();
        boolean ownRoot = fs.rootfs().isPresent() || fs.image().filter(i -> !i.equals(name)).isPresent();
        if (ownRoot && !caller.admin()) {
            String root = fs.image().map(i -> "image " + i).orElseGet(() -> "root " + fs.rootfs().orElseThrow());
            throw new RockException("image '" + name + "': passport " + base.id() + " roots its sandboxes in " + root
                    + "; only an admin token may name another image for it");
        }
        return base.withFilesystem(fs.withImage(name));
    }

    /** ROCK's synchronous start: the answer comes when the sandbox runs, with ALE's own id. */
    private JsonNode start(Context ctx) {
        Granted g = granted(ctx, "start");
        Hosted h = sandboxes.create(g.caller(), g.request(), g.idle());
        return started(h.id(), g);
    }

    /** ROCK's start_async: the answer names the sandbox at once; it is made meanwhile, and get_status says when it runs. */
    private JsonNode startAsync(Context ctx) {
        Granted g = granted(ctx, "start_async");
        return started(starts.begin(g.caller(), g.request(), g.idle()), g);
    }

    private ObjectNode started(String id, Granted g) {
        ObjectNode result = RockEnvelope.object();
        result.put("sandbox_id", id);
        result.put("host_name", hostName);
        result.putNull("host_ip");
        result.put("cpus", g.cpus());
        result.put("memory", RockMemory.format(g.memory()));
        result.put("disk", RockMemory.format(g.disk()));
        result.putNull("code");
        result.putNull("exit_code");
        result.putNull("failure_reason");
        return result;
    }

    /** A size as ROCK writes it ({@code 8g}, {@code 50G}) or a number of bytes. */
    private static Optional<Long> size(RockFields f, String field) {
        Optional<JsonNode> n = f.node(field);
        if (n.isEmpty()) return Optional.empty();
        if (n.get().isNumber()) {
            if (n.get().asLong() <= 0) throw new RockException(field + ": must be positive");
            return Optional.of(n.get().asLong());
        }
        return f.string(field).map(text -> RockMemory.parse(field, text));
    }

    /** ROCK's automatic clean-up time, in minutes: ALE's idle timeout. */
    private static Optional<Duration> clearTime(RockFields f) {
        var minutes = f.number("auto_clear_time_minutes");
        if (minutes.isEmpty()) minutes = f.number("auto_clear_time");
        if (minutes.isEmpty()) return Optional.empty();
        double m = minutes.getAsDouble();
        if (!(m > 0) || m * 60 > MAX_TIMEOUT.toSeconds()) {
            throw new RockException("auto_clear_time_minutes: must be more than 0 and at most " + MAX_TIMEOUT.toMinutes() + ", not " + m);
        }
        return Optional.of(Duration.ofMillis((long) (m * 60_000)));
    }

    private JsonNode status(Context ctx) {
        return statusOf(ctx, query(ctx));
    }

    private JsonNode statusOf(Context ctx, String id) {
        Optional<RockStarts.Start> start = starts.find(Auth.caller(ctx), id);
        if (start.isPresent()) {
            switch (start.get().stage()) {
                case RockStarts.Starting _ -> {
                    return pending(id, "running", "the sandbox is being made");
                }
                case RockStarts.Failed(String reason, var _) -> {
                    return pending(id, "failed", "the sandbox could not be made: " + reason);
                }
                case RockStarts.Started(String sandboxId) -> {
                    return status(id, find(ctx, sandboxId));
                }
            }
        }
        return status(id, find(ctx, id));
    }

    /** A start_async not (yet) run: not alive, and docker_run says how the making goes. */
    private ObjectNode pending(String id, String phase, String message) {
        ObjectNode result = RockEnvelope.object();
        result.put("sandbox_id", id);
        ObjectNode phases = result.putObject("status");
        ObjectNode pull = phases.putObject("image_pull");
        pull.put("status", "success");
        pull.put("message", "no image: the host's read-only root");
        ObjectNode run = phases.putObject("docker_run");
        run.put("status", phase);
        run.put("message", message);
        result.put("state", phase.equals("failed") ? "failed" : "pending");
        result.put("host_name", hostName);
        result.putNull("host_ip");
        result.put("is_alive", false);
        result.put("image", "");
        result.putNull("ale_sandbox_id");
        return result;
    }

    private JsonNode status(String id, Hosted h) {
        SandboxInfo info = h.guarded().info();
        boolean alive = info.state() == SandboxInfo.State.RUNNING;
        String state = info.state().name().toLowerCase(Locale.ROOT);
        Resources r = h.guarded().passport().resources();
        ObjectNode result = RockEnvelope.object();
        result.put("sandbox_id", id);
        ObjectNode phases = result.putObject("status");
        ObjectNode pull = phases.putObject("image_pull");
        Optional<String> image = h.guarded().passport().filesystem().image();
        pull.put("status", "success");
        pull.put("message", image.map(i -> "image " + i + ", from ALE's image store").orElse("no image: the host's read-only root"));
        ObjectNode run = phases.putObject("docker_run");
        run.put("status", alive ? "success" : "failed");
        run.put("message", alive ? "running" : state + info.killReason().map(k -> ": " + k).orElse(""));
        result.put("state", state);
        result.putObject("port_mapping");
        result.put("host_name", hostName);
        result.putNull("host_ip");
        result.put("is_alive", alive);
        result.put("image", image.orElse(""));
        result.put("user_id", h.owner());
        result.putNull("experiment_id");
        result.putNull("namespace");
        result.put("cpus", r.cpus());
        result.put("memory", RockMemory.format(r.memoryBytes()));
        result.put("disk", RockMemory.format(r.workspaceBytes()));
        result.put("passport", info.passportId());
        if (info.killReason().isPresent()) result.put("kill_reason", info.killReason().get());
        else result.putNull("kill_reason");
        result.put("ale_sandbox_id", h.id());
        return result;
    }

    /**
     * ROCK's batch status: the status of each id the caller may see, in the order asked; an unknown (or another
     * token's) id is left out, as ROCK leaves it.
     */
    private JsonNode batchStatus(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), BATCH_FIELDS, "sandboxes/batch");
        List<String> ids = f.strings("sandbox_ids").orElseThrow(() -> new RockException("sandbox_ids: is required"));
        if (ids.size() > MAX_PAGE) throw new RockException("sandbox_ids: at most " + MAX_PAGE + " ids in one batch, not " + ids.size());
        ArrayNode statuses = RockEnvelope.object().arrayNode();
        for (String id : new LinkedHashSet<>(ids)) {
            if (id.isBlank()) continue;
            try {
                statuses.add(statusOf(ctx, id));
            } catch (ApiError | RockException e) {
                // not a sandbox this caller may see: left out
            }
        }
        ObjectNode result = withoutCode();
        result.set("statuses", statuses);
        return result;
    }

    /**
     * ROCK's list: the caller's sandboxes as get_status reports each (a start_async's under its ROCK id), oldest
     * first, filtered by ROCK's query parameters and cut into pages ({@code page} from 1, {@code page_size}).
     */
    private JsonNode list(Context ctx) {
        int page = positive(ctx, "page", 1);
        int size = Math.min(positive(ctx, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE);
        List<JsonNode> matching = new ArrayList<>();
        for (Hosted h : sandboxes.list(Auth.caller(ctx))) {
            JsonNode status = status(h.labels().getOrDefault(RockStarts.LABEL, h.id()), h);
            boolean keep = true;
            for (String filter : LIST_FILTERS) {
                String wanted = ctx.queryParam(filter);
                boolean matches = status.hasNonNull(filter) && status.get(filter).asText().equals(wanted);
                if (wanted != null && !wanted.isBlank() && !matches) keep = false;
            }
            if (keep) matching.add(status);
        }
        long from = (long) (page - 1) * size;
        ObjectNode result = withoutCode();
        ArrayNode items = result.putArray("items");
        matching.stream().skip(from).limit(size).forEach(items::add);
        result.put("total", matching.size());
        result.put("has_more", from + size < matching.size());
        return result;
    }

    private static int positive(Context ctx, String name, int fallback) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // refused below, with the value
        }
        throw new RockException(name + ": must be a whole number from 1, not '" + text + "'");
    }

    /** ROCK's SandboxResponse fields a successful answer leaves empty. */
    private static ObjectNode withoutCode() {
        ObjectNode result = RockEnvelope.object();
        result.putNull("code");
        result.putNull("exit_code");
        result.putNull("failure_reason");
        return result;
    }

    /** ROCK answers an unknown sandbox as not alive, not as a failure. */
    private JsonNode isAlive(Context ctx) {
        String id = query(ctx);
        ObjectNode result = RockEnvelope.object();
        try {
            Hosted h = find(ctx, id);
            boolean alive = h.guarded().info().state() == SandboxInfo.State.RUNNING;
            result.put("is_alive", alive);
            result.put("message", alive ? hostName : "sandbox " + id + " is " + h.guarded().info().state().name().toLowerCase(Locale.ROOT)
                    + h.guarded().info().killReason().map(k -> " (" + k + ")").orElse(""));
        } catch (ApiError e) {
            result.put("is_alive", false);
            result.put("message", "no sandbox " + id);
        } catch (RockException e) {
            result.put("is_alive", false);
            result.put("message", e.getMessage());
        }
        return result;
    }

    private JsonNode execute(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), EXECUTE_FIELDS, "execute");
        Hosted h = find(ctx, f.required("sandbox_id"));
        List<String> argv = command(f);
        Duration timeout = timeout(f, EXECUTE_TIMEOUT);
        ExecRequest request = ExecRequest.of(argv).withTimeout(timeout).withEnv(f.stringMap("env").orElse(Map.of()));
        if (f.string("cwd").isPresent()) request = request.withCwd(f.string("cwd").get());
        usable(h);
        ExecRequest req = request;
        ExecResult r = timed(() -> h.call(() -> h.guarded().exec(req)));
        if (f.bool("check").orElse(false) && r.exitCode() != 0) {
            throw new RockException(f.string("error_msg").filter(s -> !s.isEmpty()).map(s -> s + ": ").orElse("")
                    + "the command exited " + r.exitCode() + r.reason().map(x -> " (" + x + ")").orElse("") + ": " + tail(r.stderr()));
        }
        ObjectNode result = RockEnvelope.object();
        result.put("stdout", r.stdout());
        result.put("stderr", r.stderr());
        result.put("exit_code", r.exitCode());
        ale(result, r);
        return result;
    }

    /** ROCK's command is an argv list or one string; ALE runs a string as a shell line, whatever {@code shell} says. */
    private static List<String> command(RockFields f) {
        JsonNode c = f.node("command").orElseThrow(() -> new RockException("command: is required"));
        if (c.isTextual()) {
            String line = f.string("command").orElseThrow();
            if (line.isBlank()) throw new RockException("command: must not be blank");
            return List.of("/bin/sh", "-c", line);
        }
        List<String> argv = f.strings("command").orElseThrow();
        if (argv.isEmpty()) throw new RockException("command: must not be an empty list");
        for (String a : argv) if (a.indexOf('\0') >= 0) throw new RockException("command: must not contain NUL");
        return argv;
    }

    private static Duration timeout(RockFields f, Duration fallback) {
        var t = f.number("timeout");
        if (t.isEmpty()) return fallback;
        double s = t.getAsDouble();
        if (!(s > 0) || s > MAX_TIMEOUT.toSeconds()) throw new RockException("timeout: must be more than 0 and at most " + MAX_TIMEOUT.toSeconds()
                + " seconds");
        return Duration.ofMillis((long) (s * 1000));
    }

    private JsonNode createSession(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), CREATE_SESSION_FIELDS, "create_session");
        Hosted h = find(ctx, f.required("sandbox_id"));
        String name = sessionName(f);
        List<String> sources = f.strings("startup_source").orElse(List.of());
        Map<String, String> env = f.stringMap("env").orElse(Map.of());
        env.keySet().forEach(k -> {
            if (!ENV_NAME.matcher(k).matches()) throw new RockException("env." + k + ": not a variable name");
        });
        usable(h);
        GuardedSession session = h.openNamed(name).orElseThrow(() -> new RockException("session '" + name + "' already exists in sandbox "
                + h.id() + "; close it first or name another"));
        StringBuilder output = new StringBuilder();
        List<String> lines = new ArrayList<>();
        env.forEach((k, v) -> lines.add("export " + k + "=" + quote(v)));
        sources.forEach(s -> lines.add(". " + quote(s)));
        for (String line : lines) {
            ExecResult r = h.call(() -> session.run(line, Optional.of(SESSION_TIMEOUT), Workload.ORDINARY, OutputListener.NONE));
            output.append(r.stdout()).append(r.stderr());
            if (r.exitCode() != 0) {
                h.closeNamed(name);
                throw new RockException("session '" + name + "': '" + line + "' exited " + r.exitCode() + ": " + tail(r.stderr() + r.stdout()));
            }
        }
        ObjectNode result = RockEnvelope.object();
        result.put("output", output.toString());
        result.put("session_type", "bash");
        return result;
    }

    private JsonNode runInSession(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), RUN_FIELDS, "run_in_session");
        Hosted h = find(ctx, f.required("sandbox_id"));
        String type = f.string("action_type").orElse("bash");
        if (!type.equals("bash")) throw new RockException("action_type: ALE runs 'bash' actions only, not '" + type + "'");
        if (f.bool("is_interactive_command").orElse(false)) {
            throw new RockException("is_interactive_command: ALE's sessions do not drive interactive programs; run them with their input as a command");
        }
        String command = f.string("command").orElseThrow(() -> new RockException("command: is required"));
        String name = sessionName(f);
        String check = f.string("check").orElse("raise");
        if (!Set.of("raise", "silent", "ignore").contains(check)) throw new RockException("check: one of raise, silent, ignore; not '" + check + "'");
        Duration timeout = timeout(f, SESSION_TIMEOUT);
        GuardedSession session = h.sessionNamed(name).orElseThrow(() -> new RockException("no session '" + name + "' in sandbox " + h.id()
                + "; open it with create_session"));
        usable(h);
        ExecResult r = timed(() -> h.call(() -> session.run(command, Optional.of(timeout), Workload.ORDINARY, OutputListener.NONE)));
        String output = r.stdout() + r.stderr();
        if (check.equals("raise") && r.exitCode() != 0) {
            throw new RockException(f.string("error_msg").filter(s -> !s.isEmpty()).map(s -> s + ": ").orElse("")
                    + "'" + command + "' exited " + r.exitCode() + r.reason().map(x -> " (" + x + ")").orElse("") + "; its output: " + tail(output));
        }
        ObjectNode result = RockEnvelope.object();
        result.put("session_type", "bash");
        result.put("output", output);
        result.put("exit_code", r.exitCode());
        result.put("failure_reason", r.reason().orElse(""));
        result.put("expect_string", "");
        ale(result, r);
        return result;
    }

    private JsonNode closeSession(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), CLOSE_SESSION_FIELDS, "close_session");
        Hosted h = find(ctx, f.required("sandbox_id"));
        String name = sessionName(f);
        if (!h.closeNamed(name)) throw new RockException("no session '" + name + "' in sandbox " + h.id());
        ObjectNode result = RockEnvelope.object();
        result.put("session_type", "bash");
        return result;
    }

    private static String sessionName(RockFields f) {
        String name = f.string("session").orElse(DEFAULT_SESSION);
        if (name.isBlank()) throw new RockException("session: must not be blank");
        return name;
    }

    private JsonNode readFile(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), READ_FIELDS, "read_file");
        Hosted h = find(ctx, f.required("sandbox_id"));
        String path = f.required("path");
        Charset charset = charset(f.string("encoding"));
        CodingErrorAction onError = switch (f.string("errors").orElse("strict")) {
            case "strict" -> CodingErrorAction.REPORT;
            case "replace" -> CodingErrorAction.REPLACE;
            case "ignore" -> CodingErrorAction.IGNORE;
            default -> throw new RockException("errors: one of strict, replace, ignore; not '" + f.string("errors").get() + "'");
        };
        usable(h);
        byte[] bytes = h.call(() -> h.guarded().files().read(path));
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(onError).onUnmappableCharacter(onError);
        String content;
        try {
            content = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RockException(path + ": not " + charset.name() + " text; read it with errors 'replace', or fetch the bytes from"
                    + " GET /v1/sandboxes/{id}/files?path=" + path);
        }
        ObjectNode result = RockEnvelope.object();
        result.put("content", content);
        return result;
    }

    private static Charset charset(Optional<String> name) {
        if (name.isEmpty()) return StandardCharsets.UTF_8;
        // Python's names (latin-1, utf_8) where Java's differ (latin1, utf8)
        for (String n : List.of(name.get(), name.get().replace("-", "").replace("_", ""))) {
            try {
                return Charset.forName(n);
            } catch (IllegalArgumentException e) {
                // try the next spelling
            }
        }
        throw new RockException("encoding: '" + name.get() + "' is not an encoding this server knows");
    }

    private JsonNode writeFile(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx, Bodies.FILE_LIMIT), WRITE_FIELDS, "write_file");
        Hosted h = find(ctx, f.required("sandbox_id"));
        String path = f.required("path");
        byte[] content = f.string("content").orElseThrow(() -> new RockException("content: is required")).getBytes(StandardCharsets.UTF_8);
        usable(h);
        h.call(() -> {
            h.guarded().files().write(path, content);
            return null;
        });
        ObjectNode result = RockEnvelope.object();
        result.put("success", true);
        result.put("message", "wrote " + content.length + " bytes to " + path);
        return result;
    }

    /** ROCK's multipart upload: a {@code file} part written whole to {@code target_path}. */
    private JsonNode upload(Context ctx) {
        if (!ctx.isMultipartFormData()) {
            throw new RockException("upload takes multipart/form-data with the parts file, target_path and sandbox_id");
        }
        String id = Optional.ofNullable(ctx.formParam("sandbox_id")).filter(s -> !s.isBlank())
                .orElseThrow(() -> new RockException("sandbox_id: is required"));
        Hosted h = find(ctx, id);
        String target = Optional.ofNullable(ctx.formParam("target_path")).filter(s -> !s.isBlank())
                .orElseThrow(() -> new RockException("target_path: is required"));
        if (target.indexOf('\0') >= 0) throw new RockException("target_path: must not contain NUL");
        UploadedFile file = ctx.uploadedFile("file");
        if (file == null) throw new RockException("file: the part is required");
        if (file.size() > Bodies.FILE_LIMIT) throw new RockException("file: over the limit of " + Bodies.FILE_LIMIT + " bytes");
        byte[] bytes;
        try (InputStream in = file.content()) {
            bytes = in.readNBytes(Bodies.FILE_LIMIT + 1);
        } catch (IOException e) {
            throw new RockException("file: could not be read: " + e.getMessage());
        }
        if (bytes.length > Bodies.FILE_LIMIT) throw new RockException("file: over the limit of " + Bodies.FILE_LIMIT + " bytes");
        usable(h);
        h.call(() -> {
            h.guarded().files().write(target, bytes);
            return null;
        });
        ObjectNode result = RockEnvelope.object();
        result.put("success", true);
        result.put("message", "uploaded " + bytes.length + " bytes to " + target);
        result.put("file_name", Optional.ofNullable(file.filename()).orElse(""));
        return result;
    }

    /** Stop destroys the sandbox: ALE keeps no stopped sandboxes to restart. */
    private JsonNode stop(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), ID_FIELDS, "stop");
        String id = f.required("sandbox_id");
        Optional<RockStarts.Start> start = starts.find(Auth.caller(ctx), id);
        if (start.isPresent()) {
            // one still being made is destroyed as soon as it is made
            starts.stop(start.get()).flatMap(sandboxes::byId).ifPresent(sandboxes::destroy);
            return RockEnvelope.object().textNode(id + " stopped");
        }
        Hosted h = find(ctx, id);
        sandboxes.destroy(h);
        return RockEnvelope.object().textNode(id + " stopped");
    }

    /** As ROCK: deleting an unknown (or already stopped) sandbox succeeds; a running one must be stopped first. */
    private JsonNode delete(Context ctx) {
        RockFields f = RockFields.of(Bodies.object(ctx), ID_FIELDS, "delete");
        String id = f.required("sandbox_id");
        Optional<RockStarts.Start> start = starts.find(Auth.caller(ctx), id);
        if (start.isPresent()) {
            switch (start.get().stage()) {
                case RockStarts.Starting _ -> throw new RockException("sandbox " + id + " is being made; stop it first");
                case RockStarts.Failed(String reason, var _) -> {
                    starts.stop(start.get());
                    return RockEnvelope.object().textNode(id + " deleted");
                }
                case RockStarts.Started _ -> { }
            }
        }
        try {
            Hosted h = find(ctx, id);
            if (h.guarded().info().state() == SandboxInfo.State.RUNNING) {
                throw new RockException("sandbox " + id + " is running; stop it first");
            }
            sandboxes.destroy(h);
        } catch (ApiError e) {
            if (e.status() != 404) throw e;
        }
        return RockEnvelope.object().textNode(id + " deleted");
    }

    private static String query(Context ctx) {
        String id = ctx.queryParam("sandbox_id");
        if (id == null || id.isBlank()) throw new RockException("sandbox_id: the query parameter is required");
        return id;
    }

    /** The sandbox a ROCK id names: ALE's own id, or a start_async's ROCK id once its sandbox runs (before, Failed with where it stands). */
    private Hosted find(Context ctx, String id) {
        Caller caller = Auth.caller(ctx);
        String sandboxId = id;
        Optional<RockStarts.Start> start = starts.find(caller, id);
        if (start.isPresent()) {
            sandboxId = switch (start.get().stage()) {
                case RockStarts.Starting _ -> throw new RockException("sandbox " + id + " is still being made; wait until get_status says is_alive");
                case RockStarts.Failed(String reason, var _) -> throw new RockException("sandbox " + id + " could not be made: " + reason);
                case RockStarts.Started(String made) -> made;
            };
        }
        Hosted h = sandboxes.find(caller, sandboxId);
        h.touch();
        return h;
    }

    private static void usable(Hosted h) {
        SandboxInfo info = h.guarded().info();
        if (info.state() != SandboxInfo.State.RUNNING) {
            throw new RockException("sandbox " + h.id() + " is " + info.state().name().toLowerCase(Locale.ROOT)
                    + info.killReason().map(r -> " (" + r + ")").orElse("") + "; stop it and start a new one");
        }
    }

    /** What ALE adds to a command's result: whether it was killed, why, and the SafetyEvents it raised. */
    private static void ale(ObjectNode result, ExecResult r) {
        result.put("killed", r.killed());
        if (r.reason().isPresent()) result.put("reason", r.reason().get());
        else result.putNull("reason");
        ArrayNode events = result.putArray("events");
        r.events().forEach(e -> events.add(Views.event(e)));
    }

    private ExecResult timed(java.util.function.Supplier<ExecResult> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            metrics.exec(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 2000 ? t : "…" + t.substring(t.length() - 2000);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
