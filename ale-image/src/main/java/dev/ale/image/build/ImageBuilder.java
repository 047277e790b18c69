package dev.ale.image.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.ImageAccounts;
import dev.ale.core.sandbox.ImageWrites;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.ImageStore;
import dev.ale.image.StoredImage;
import dev.ale.image.registry.Digest;
import dev.ale.image.registry.Platform;
import dev.ale.image.store.ImageRecord;
import dev.ale.image.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.LinkedHashSet;
import java.util.Locale;

/**
 * Builds an image from a Dockerfile: each RUN in a fresh sandbox of the backend it is given
 * (the guarded one in the CLI: behind the gateway, in the setup phase, under the passport's setup
 * egress), rooted in the layers built so far, whose overlay upper layer becomes the step's layer;
 * COPY and ADD become layers directly; the rest goes into the image config. Every step that makes
 * a layer is cached by content (docs/images.md, "Dockerfile builds").
 */
public final class ImageBuilder {

    /**
     * What to build: the context directory, the Dockerfile, the names to give the result, the
     * {@code --build-arg} values, the passport build sandboxes are made from (its setup egress is
     * what a RUN may reach), the time one RUN may take, and the context's paths no COPY or ADD may
     * take (a task's tests and solution: relative to the context, whatever its .dockerignore says).
     */
    public record Request(Path context, Path dockerfile, List<String> tags, Map<String, String> buildArgs, Passport passport,
                          Duration runTimeout, List<String> withheld) {

        public Request {
            tags = List.copyOf(tags);
            buildArgs = Map.copyOf(buildArgs);
            withheld = List.copyOf(withheld);
        }

        /** A build that withholds nothing but what the context's .dockerignore leaves out. */
        public Request(Path context, Path dockerfile, List<String> tags, Map<String, String> buildArgs, Passport passport,
                       Duration runTimeout) {
            this(context, dockerfile, tags, buildArgs, passport, runTimeout, List.of());
        }
    }

    /** The label every build sandbox carries (its value: the Dockerfile and line). */
    public static final String BUILD_LABEL = "image-build";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TAIL = 2000;
    /** The highest id an image sandbox maps (its 65536 ids): a file owned by another would be nobody's inside. */
    private static final int MAX_ID = 65535;

    private final ImageStore images;
    private final SandboxBackend backend;

    public ImageBuilder(ImageStore images, SandboxBackend backend) {
        this.images = images;
        this.backend = backend;
    }

    public BuildResult build(Request request, BuildProgress progress) {
        Path file = request.dockerfile();
        if (!Files.isDirectory(request.context())) {
            throw new DockerfileException(Fault.INPUT, "build context " + request.context() + " is not a directory");
        }
        String text;
        try {
            if (!Files.isRegularFile(file)) throw new DockerfileException(Fault.INPUT, "no Dockerfile at " + file);
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DockerfileException(Fault.INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        }
        Dockerfile df = Dockerfile.parse(text, file.toString());
        return new Build(request, df, progress).run();
    }

    /** One stage's image as it is being built: its layers, its config (the whole OCI config), its ARGs and SHELL. */
    private static final class State {
        final List<Digest> layers = new ArrayList<>();
        final List<String> diffIds = new ArrayList<>();
        ObjectNode config;
        final Map<String, String> args = new LinkedHashMap<>();
        List<String> shell = List.of("/bin/sh", "-c");
        /** Where the config's {@code User} was set: a USER line, or the base image it came from. */
        String userWhere = "the base image";

        State copy() {
            State s = new State();
            s.layers.addAll(layers);
            s.diffIds.addAll(diffIds);
            s.config = config.deepCopy();
            s.shell = shell;
            s.userWhere = userWhere;
            return s;
        }

        ObjectNode c() {
            return config.withObject("/config");
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : c().path("Env")) {
                String v = e.asText();
                int eq = v.indexOf('=');
                if (eq > 0) env.put(v.substring(0, eq), v.substring(eq + 1));
            }
            return env;
        }

        void setEnv(String k, String v) {
            Map<String, String> env = env();
            env.put(k, v);
            ArrayNode a = c().putArray("Env");
            env.forEach((key, val) -> a.add(key + "=" + val));
        }

        String workdir() {
            String w = c().path("WorkingDir").asText("");
            return w.isEmpty() ? "/" : w;
        }

        /** What a step's result depends on besides its own text: the layers below and the config it runs under. */
        String basis() {
            return "layers " + layers + "\nenv " + c().path("Env") + "\nworkdir " + workdir() + "\nuser " + c().path("User").asText("")
                    + "\nshell " + shell + "\nargs " + new TreeMap<>(args);
        }

        /** Variables for substitution: ARGs, with ENV over them, as Docker has it. */
        Map<String, String> vars() {
            Map<String, String> v = new LinkedHashMap<>(args);
            v.putAll(env());
            return v;
        }
    }

    private final class Build {
        private final Request request;
        private final Dockerfile df;
        private final BuildProgress progress;
        private final Store store = images.store();
        private final BuildCache cache = new BuildCache(images.store());
        private final Map<String, String> globals = new LinkedHashMap<>();
        private final Set<String> usedArgs = new HashSet<>();
        private final List<State> stages = new ArrayList<>();
        private final Set<String> intermediates = new HashSet<>();
        private final DockerIgnore ignore;
        private final int steps;
        private int step;
        private int cachedSteps;
        private int workSteps;
        private int sandboxes;

        Build(Request request, Dockerfile df, BuildProgress progress) {
            this.request = request;
            this.df = df;
            this.progress = progress;
            this.steps = df.globalArgs().size() + df.stages().stream().mapToInt(s -> 1 + s.instructions().size()).sum();
            Path ignoreFile = request.context().resolve(".dockerignore");
            try {
                this.ignore = Files.isRegularFile(ignoreFile) ? DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8))
                        : DockerIgnore.none();
            } catch (IOException e) {
                throw new DockerfileException(Fault.INPUT, "cannot read " + ignoreFile + ": " + e.getMessage(), e);
            }
        }

        BuildResult run() {
            String finalId = null;
            try {
                for (Instruction a : df.globalArgs()) {
                    announce(a);
                    for (String w : new Words(globals, df.escape(), a).words(a.args())) {
                        int eq = w.indexOf('=');
                        String name = eq < 0 ? w : w.substring(0, eq);
                        usedArgs.add(name);
                        String value = request.buildArgs().containsKey(name) ? request.buildArgs().get(name) : eq < 0 ? null : w.substring(eq + 1);
                        if (value != null) globals.put(name, value);
                    }
                }
                for (Dockerfile.Stage stage : df.stages()) stages.add(stage(stage));
                for (String k : request.buildArgs().keySet()) {
                    if (!usedArgs.contains(k)) progress.note("build arg " + k + " was given but no ARG declares it");
                }
                State last = stages.getLast();
                StoredImage image = images.commitBuilt("build " + df.file(), configBytes(last), last.layers, request.tags());
                finalId = image.id();
                return new BuildResult(image, workSteps, cachedSteps, sandboxes);
            } finally {
                for (String id : intermediates) {
                    if (!id.equals(finalId)) images.forgetUnnamed(id);
                }
            }
        }

        private void announce(Instruction ins) {
            progress.step(++step, steps, ins.where(), ins.lines());
        }

        private State stage(Dockerfile.Stage stage) {
            Instruction from = stage.from();
            announce(from);
            Words w = new Words(globals, df.escape(), from);
            String base = w.word(stage.base());
            if (base.isEmpty()) throw from.fail("the image name is empty after substitution (" + stage.base() + ")");
            if (stage.platform().isPresent()) {
                String p = w.word(stage.platform().get());
                if (!p.equals(Platform.current().toString())) {
                    throw from.fail("--platform=" + p + " is not this machine's (" + Platform.current() + "); ALE builds only for its own");
                }
            }
            State st;
            Optional<State> earlier = stageNamed(base);
            if (earlier.isPresent()) {
                st = earlier.get().copy();
            } else if (base.equals("scratch")) {
                st = new State();
                st.config = JSON.createObjectNode().put("architecture", Platform.current().architecture()).put("os", "linux");
                st.c();
            } else {
                st = fromImage(base, from);
            }
            st.args.clear();
            for (Instruction ins : stage.instructions()) {
                announce(ins);
                apply(st, ins);
            }
            return st;
        }

        private Optional<State> stageNamed(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            for (Dockerfile.Stage s : df.stages()) {
                if (s.index() < stages.size() && s.name().equals(Optional.of(n))) return Optional.of(stages.get(s.index()));
            }
            return Optional.empty();
        }

        private State fromImage(String base, Instruction where) {
            ImageRecord r = images.stored(base).orElseGet(() -> {
                progress.note("pulling " + base);
                images.pull(base, progress.pulls());
                return images.stored(base).orElseThrow(() -> where.fail("image " + base + " is not in the store after pulling it"));
            });
            byte[] cfg = store.blob(r.config()).orElseThrow(() -> where.fail("image " + base + " is damaged: its config blob is missing"));
            State st = new State();
            try {
                st.config = (ObjectNode) JSON.readTree(cfg);
            } catch (IOException | ClassCastException e) {
                throw where.fail("image " + base + ": its config is not JSON");
            }
            st.c();
            st.userWhere = "the base image " + base;
            st.layers.addAll(r.layers());
            List<String> ids = new ArrayList<>();
            st.config.path("rootfs").path("diff_ids").forEach(d -> ids.add(d.asText()));
            // an imported rootfs has no diff ids; its layers' blobs are their own
            if (ids.size() == r.layers().size()) st.diffIds.addAll(ids);
            else r.layers().forEach(d -> st.diffIds.add(d.toString()));
            return st;
        }

        private void apply(State st, Instruction ins) {
            Words w = new Words(st.vars(), df.escape(), ins);
            ObjectNode c = st.c();
            switch (ins.keyword()) {
                case "RUN" -> run(st, ins);
                case "COPY", "ADD" -> copy(st, ins, w);
                case "WORKDIR" -> workdir(st, ins, w);
                case "ENV" -> {
                    for (Map.Entry<String, String> e : pairs(ins, w, true).entrySet()) st.setEnv(e.getKey(), e.getValue());
                }
                case "LABEL" -> {
                    ObjectNode labels = c.withObject("/Labels");
                    pairs(ins, w, false).forEach(labels::put);
                }
                case "ARG" -> {
                    for (String word : w.words(ins.args())) {
                        int eq = word.indexOf('=');
                        String name = eq < 0 ? word : word.substring(0, eq);
                        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw ins.fail("\"" + name + "\" is not a valid ARG name");
                        usedArgs.add(name);
                        String value = request.buildArgs().containsKey(name) ? request.buildArgs().get(name)
                                : eq >= 0 ? word.substring(eq + 1) : globals.get(name);
                        if (value != null) st.args.put(name, value);
                    }
                }
                case "EXPOSE" -> {
                    ObjectNode ports = c.withObject("/ExposedPorts");
                    for (String p : w.words(ins.args())) {
                        if (!p.matches("[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?")) throw ins.fail("\"" + p + "\" is not a port (PORT[/tcp|udp])");
                        ports.putObject(p.contains("/") ? p : p + "/tcp");
                    }
                    progress.note("recorded in the image config; ALE publishes no ports");
                }
                case "USER" -> {
                    c.put("User", w.word(ins.args()));
                    st.userWhere = ins.where();
                    progress.note("recorded; later RUN steps and the image's sandboxes run as this user (names from the image's /etc/passwd)");
                }
                case "SHELL" -> {
                    st.shell = ins.json().orElseThrow();
                    ArrayNode a = c.putArray("Shell");
                    st.shell.forEach(a::add);
                }
                case "CMD" -> putCommand(c, "Cmd", ins, st);
                case "ENTRYPOINT" -> {
                    putCommand(c, "Entrypoint", ins, st);
                    c.putNull("Cmd"); // Docker: a new ENTRYPOINT drops the CMD it inherited
                }
                case "STOPSIGNAL" -> {
                    c.put("StopSignal", w.word(ins.args()));
                    progress.note("recorded; ALE stops sandboxes by killing them");
                }
                case "MAINTAINER" -> st.config.put("author", w.word(ins.args()));
                case "HEALTHCHECK" -> c.putObject("Healthcheck").putArray("Test").add("NONE");
                default -> throw ins.fail("is not supported");
            }
        }

        private void putCommand(ObjectNode c, String key, Instruction ins, State st) {
            ArrayNode a = c.putArray(key);
            if (ins.json().isPresent()) {
                ins.json().get().forEach(a::add);
            } else if (!ins.args().isEmpty()) {
                st.shell.forEach(a::add);
                a.add(ins.args());
            }
            progress.note("recorded in the image config");
        }

        /** ENV and LABEL: {@code k=v …}, or for ENV the legacy {@code ENV key value with spaces}. */
        private Map<String, String> pairs(Instruction ins, Words w, boolean legacyAllowed) {
            Map<String, String> out = new LinkedHashMap<>();
            String first = ins.args().split("\\s+", 2)[0];
            if (!first.contains("=")) {
                if (!legacyAllowed) throw ins.fail("takes key=value pairs");
                String[] kv = ins.args().split("\\s+", 2);
                if (kv.length < 2) throw ins.fail(kv[0] + " has no value (ENV key=value, or ENV key value)");
                out.put(kv[0], w.word(kv[1]));
                return out;
            }
            for (String word : w.words(ins.args())) {
                int eq = word.indexOf('=');
                if (eq <= 0) throw ins.fail("\"" + word + "\" is not key=value");
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
            return out;
        }

        // ---- RUN

        private void run(State st, Instruction ins) {
            if (st.layers.isEmpty()) throw ins.fail("has no shell to run in: this stage starts FROM scratch and has no files yet");
            List<String> argv = new ArrayList<>();
            if (ins.json().isPresent()) {
                argv.addAll(ins.json().get());
            } else {
                argv.addAll(st.shell);
                argv.add(ins.args());
            }
            Map<String, String> env = new TreeMap<>(st.args);
            st.env().keySet().forEach(env::remove);
            Digest key = key("RUN", st, argv.toString(), "");
            if (fromCache(key, st)) return;
            Set<String> existing = new HashSet<>();
            images.list().forEach(i -> existing.add(i.id()));
            StoredImage stepImage = images.commitBuilt("build step " + ins.where(), configBytes(st), st.layers, List.of());
            // only a record this build made goes with it (an earlier untagged build of the same content stays)
            if (!existing.contains(stepImage.id())) intermediates.add(stepImage.id());
            Passport p = request.passport().withFilesystem(request.passport().filesystem().withImage(stepImage.id()));
            Sandbox sandbox;
            try {
                sandbox = backend.create(new SandboxRequest(p, Map.of(BUILD_LABEL, ins.where()), false, Phase.SETUP));
            } catch (SandboxException e) {
                if (e.fault() != Fault.INPUT) throw e;
                // a USER the image cannot run as (no such account, an id out of range) is the Dockerfile's fault
                String user = st.c().path("User").asText("");
                throw new DockerfileException(Fault.INPUT, ins.where() + ": RUN cannot start" + (user.isEmpty() ? "" : " as USER " + user
                        + " (set at " + st.userWhere + ")") + ": " + e.getMessage(), e);
            }
            sandboxes++;
            try {
                Tail tail = new Tail();
                ExecResult r = sandbox.exec(new ExecRequest(argv, env, Optional.of(st.workdir()), new byte[0],
                        Optional.of(request.runTimeout()), (stream, bytes, n) -> {
                            tail.add(bytes, n);
                            progress.output(bytes, n);
                        }, ExecRequest.Workload.CPU_HEAVY));
                if (r.killed() || r.exitCode() != 0) {
                    String how = r.killed() ? "was stopped (" + r.reason().orElse("killed") + ")" : "failed with exit code " + r.exitCode();
                    throw new DockerfileException(Fault.INPUT, ins.where() + ": RUN " + how + "; the end of its output:\n" + tail);
                }
                ImageWrites writes = sandbox.imageWrites().orElseThrow(() -> new DockerfileException(Fault.ENVIRONMENT,
                        "the " + backend.name() + " backend cannot say what a sandbox wrote over its image; builds need the local backend"));
                Optional<Digest> layer = layerFrom(ins, tar -> UpperDiff.write(writes, tar));
                cache.put(key, new BuildCache.Outcome(layer));
                layer.ifPresentOrElse(d -> addLayer(st, d), () -> progress.note("changed no file; no layer"));
            } finally {
                sandbox.destroy();
            }
        }

        // ---- COPY and ADD

        private record Item(List<String> dest, char type, int mode, int uid, int gid, long mtime, Optional<Path> source, String link) {
            String name() {
                return String.join("/", dest);
            }
        }

        private void copy(State st, Instruction ins, Words w) {
            List<String> words = ins.json().map(j -> j.stream().map(w::plain).toList()).orElseGet(() -> w.words(ins.args()));
            if (words.size() < 2) throw ins.fail("needs at least one source and a destination");
            List<String> srcs = words.subList(0, words.size() - 1);
            String dest = words.getLast();
            Optional<Integer> chmod = ins.flag("chmod").map(m -> Integer.parseInt(m, 8));
            Optional<String> from = ins.flag("from").map(w::word);
            List<AutoCloseable> opened = new ArrayList<>();
            try (MergedView view = MergedView.of(store, st.layers)) {
                // --chown names are the image being built's, as its RUN steps would see them
                int[] owner = owner(ins, w, view.root());
                Path srcRoot;
                boolean fromContext = from.isEmpty();
                if (fromContext) {
                    srcRoot = realPath(request.context(), ins);
                } else {
                    MergedView other = MergedView.of(store, fromLayers(from.get(), ins));
                    opened.add(other);
                    srcRoot = other.root();
                }
                List<Path> sources = new ArrayList<>();
                for (String s : srcs) {
                    if (ins.keyword().equals("ADD") && Dockerfile.isRemote(s)) {
                        throw ins.fail("ADD of a URL or git repository (" + s
                                + ") is refused: a build fetches nothing outside its RUN steps; download it in a RUN instead");
                    }
                    sources.addAll(fromContext ? contextSources(srcRoot, s, ins) : List.of(stageSource(srcRoot, s, ins, from.get())));
                }
                if (ins.keyword().equals("ADD")) {
                    for (Path p : sources) {
                        if (isArchive(p)) {
                            throw ins.fail(srcRoot.relativize(p)
                                    + " is an archive, which ADD would unpack; ALE does not unpack archives in ADD yet: COPY it and unpack it in a RUN");
                        }
                    }
                }
                String abs = dest.startsWith("/") ? dest : st.workdir() + "/" + dest;
                boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || sources.size() > 1;
                if (srcs.size() > 1 && !dest.endsWith("/")) {
                    throw ins.fail("with more than one source the destination must be a directory ending in / (" + dest + ")");
                }
                List<Item> items = new ArrayList<>();
                List<String> base;
                if (sources.size() == 1 && !Files.isDirectory(sources.getFirst(), LinkOption.NOFOLLOW_LINKS) && !destIsDir) {
                    List<String> resolved = view.resolve(abs, true);
                    if (view.isDirectory(resolved)) {
                        base = resolved;
                        items.add(item(ins, append(base, sources.getFirst().getFileName().toString()), sources.getFirst(), owner, chmod));
                    } else {
                        List<String> parent = view.resolve(parentOf(abs), true);
                        base = parent;
                        items.add(item(ins, append(parent, MergedView.split(abs).getLast()), sources.getFirst(), owner, chmod));
                    }
                } else {
                    base = view.resolve(abs, true);
                    if (Files.exists(view.at(base), LinkOption.NOFOLLOW_LINKS) && !view.isDirectory(base)) {
                        throw ins.fail("the destination " + dest + " is a file in the image, not a directory");
                    }
                    for (Path src : sources) {
                        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                            walk(ins, src, base, owner, chmod, items, fromContext ? Optional.of(srcRoot) : Optional.empty());
                        } else {
                            items.add(item(ins, append(base, src.getFileName().toString()), src, owner, chmod));
                        }
                    }
                }
                List<Item> parents = parents(view, base, items);
                List<Item> all = new ArrayList<>(parents);
                all.addAll(items);
                all.sort(Comparator.comparing(Item::name));
                Digest files = filesDigest(all);
                Digest key = key(ins.keyword(), st, String.join("\u0000", words) + "\u0000" + ins.flags(), files.toString());
                if (fromCache(key, st)) return;
                addWrittenLayer(key, st, ins, all);
            } finally {
                for (AutoCloseable c : opened) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // unmounting a view is retried lazily by MergedView itself
                    }
                }
            }
        }

        private List<Digest> fromLayers(String from, Instruction ins) {
            if (from.matches("[0-9]+")) {
                int i = Integer.parseInt(from);
                if (i >= stages.size()) throw ins.fail("--from=" + from + " names stage " + i + ", which is not an earlier stage");
                return stages.get(i).layers;
            }
            Optional<State> named = stageNamed(from);
            if (named.isPresent()) return named.get().layers;
            if (df.stages().stream().anyMatch(s -> s.name().equals(Optional.of(from.toLowerCase(Locale.ROOT))))) {
                throw ins.fail("--from=" + from + " names a stage that comes later; only earlier stages can be copied from");
            }
            ImageRecord r = images.stored(from).orElseGet(() -> {
                progress.note("pulling " + from);
                images.pull(from, progress.pulls());
                return images.stored(from).orElseThrow();
            });
            return r.layers();
        }

        /**
         * {@code --chown} as BuildKit reads it: a uid alone is also the gid; a user name is its passwd entry's uid and primary
         * group; a group, by name or gid, overrides that. Names come from {@code root}, the image being built, and one it does
         * not have is refused (BuildKit would quietly take 0). Ids must be ones an image sandbox maps.
         */
        private static int[] owner(Instruction ins, Words w, Path root) {
            Optional<String> chown = ins.flag("chown").map(w::word);
            if (chown.isEmpty()) return new int[] {0, 0};
            String spec = chown.get();
            int colon = spec.indexOf(':');
            String user = colon < 0 ? spec : spec.substring(0, colon);
            Optional<String> group = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
            if (user.isEmpty() || group.filter(String::isEmpty).isPresent()) {
                throw ins.fail("--chown=" + spec + ": say user, uid, user:group or uid:gid");
            }
            ImageAccounts accounts = ImageAccounts.read(root);
            int uid;
            int gid;
            if (isId(user)) {
                uid = chownId(ins, spec, user);
                gid = uid;
            } else {
                Optional<ImageAccounts.User> entry = accounts.userNamed(user);
                // root needs no account, as a COPY into a scratch stage shows
                if (entry.isEmpty() && !user.equals("root")) {
                    throw ins.fail("--chown=" + spec + ": no user \"" + user + "\" in the image's /etc/passwd"
                            + (accounts.passwd().isEmpty() ? " (the image being built has none)" : ""));
                }
                uid = entry.map(e -> chownId(ins, spec, e.uid())).orElse(0);
                gid = entry.map(e -> chownId(ins, spec, e.gid())).orElse(0);
            }
            if (group.isPresent()) {
                String g = group.get();
                if (isId(g)) {
                    gid = chownId(ins, spec, g);
                } else {
                    Optional<ImageAccounts.Group> entry = accounts.groupNamed(g);
                    if (entry.isEmpty() && !g.equals("root")) {
                        throw ins.fail("--chown=" + spec + ": no group \"" + g + "\" in the image's /etc/group"
                                + (accounts.group().isEmpty() ? " (the image being built has none)" : ""));
                    }
                    gid = entry.map(e -> chownId(ins, spec, e.gid())).orElse(0);
                }
            }
            return new int[] {uid, gid};
        }

        private static boolean isId(String s) {
            return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        private static int chownId(Instruction ins, String spec, String text) {
            long v;
            try {
                v = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                throw ins.fail("--chown=" + spec + ": \"" + text + "\" is not a number of an id");
            }
            if (v < 0 || v > MAX_ID) {
                throw ins.fail("--chown=" + spec + ": id " + v + " is outside the ids an image sandbox maps (0.." + MAX_ID + ")");
            }
            return (int) v;
        }

        /** Whether a context path (relative, / separated) is left out: withheld from the image, or in .dockerignore. */
        private boolean left(String rel) {
            return withheld(rel) || ignore.excluded(rel);
        }

        private boolean withheld(String rel) {
            Path p = Path.of(rel).normalize();
            for (String w : request.withheld()) if (p.startsWith(Path.of(w).normalize())) return true;
            return false;
        }

        private List<Path> contextSources(Path context, String src, Instruction ins) {
            String rel = String.join("/", normalize(src));
            if (rel.startsWith("../") || rel.equals("..")) throw ins.fail(src + " is outside the build context");
            if (rel.matches(".*[*?\\[].*")) {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rel);
                List<Path> found = new ArrayList<>();
                int depth = rel.split("/").length;
                try (var walk = Files.walk(context, depth)) {
                    walk.filter(p -> !p.equals(context) && m.matches(context.relativize(p)) && !left(context.relativize(p).toString()))
                            .sorted().forEach(found::add);
                } catch (IOException e) {
                    throw ins.fail("cannot read the build context: " + e.getMessage());
                }
                if (found.isEmpty()) throw ins.fail(src + " matches no file in the build context");
                return found;
            }
            Path p = rel.isEmpty() ? context : context.resolve(rel);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw ins.fail(src + ": no such file in the build context " + request.context());
            Path real = realPath(p, ins);
            if (!real.startsWith(context)) throw ins.fail(src + " leads outside the build context (through a symlink)");
            if (!real.equals(context) && withheld(context.relativize(real).toString())) {
                throw ins.fail(src + " holds the task's tests or solution, which never enter its image (the agent works in it)");
            }
            if (!real.equals(context) && ignore.excluded(context.relativize(real).toString())) {
                throw ins.fail(src + " is excluded by the context's .dockerignore");
            }
            return List.of(real);
        }

        private Path stageSource(Path root, String src, Instruction ins, String from) {
            if (src.matches(".*[*?\\[].*")) throw ins.fail("wildcards in COPY --from are not supported (" + src + ")");
            Path p = root;
            for (String c : resolveIn(root, src)) p = p.resolve(c);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw ins.fail(src + ": no such file in " + from);
            return p;
        }

        private List<String> resolveIn(Path root, String abs) {
            // a view object for a root already mounted: same symlink rules as the destination's
            try (MergedView v = MergedView.over(root)) {
                return v.resolve(abs, true);
            }
        }

        private Path realPath(Path p, Instruction ins) {
            try {
                return p.toRealPath();
            } catch (IOException e) {
                throw ins.fail("cannot read " + p + ": " + e.getMessage());
            }
        }

        private void walk(Instruction ins, Path dir, List<String> base, int[] owner, Optional<Integer> chmod, List<Item> items,
                          Optional<Path> context) {
            try (var stream = Files.walk(dir)) {
                for (Path p : stream.sorted().toList()) {
                    if (p.equals(dir)) continue;
                    // each entry is checked, not just its directory: a ! pattern may bring back a file below an excluded one
                    if (context.isPresent() && left(context.get().relativize(p).toString())) continue;
                    List<String> dest = new ArrayList<>(base);
                    for (Path part : dir.relativize(p)) dest.add(part.toString());
                    Item it = itemOrSkip(ins, dest, p, owner, chmod);
                    if (it != null) items.add(it);
                }
            } catch (IOException e) {
                throw ins.fail("cannot read " + dir + ": " + e.getMessage());
            }
        }

        private Item item(Instruction ins, List<String> dest, Path src, int[] owner, Optional<Integer> chmod) {
            Item it = itemOrSkip(ins, dest, src, owner, chmod);
            if (it == null) throw ins.fail(src.getFileName() + " is not a file, directory or symlink");
            return it;
        }

        /** A source entry as a layer entry; null for what a layer never holds (devices, fifos, sockets, whiteouts of a view). */
        private Item itemOrSkip(Instruction ins, List<String> dest, Path src, int[] owner, Optional<Integer> chmod) {
            try {
                Map<String, Object> a = Files.readAttributes(src, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
                int perm = chmod.orElse(mode & 07777);
                return switch (mode & 0170000) {
                    case 0040000 -> new Item(dest, 'd', perm, owner[0], owner[1], mtime, Optional.empty(), "");
                    case 0100000 -> new Item(dest, 'f', perm, owner[0], owner[1], mtime, Optional.of(src), "");
                    case 0120000 -> new Item(dest, 'l', 0777, owner[0], owner[1], mtime, Optional.empty(),
                            Files.readSymbolicLink(src).toString());
                    default -> null;
                };
            } catch (IOException e) {
                throw ins.fail("cannot read " + src + ": " + e.getMessage());
            }
        }

        /** Entries for the destination's parents, with the attributes the image gives them (or 0755 root's when they are new). */
        private List<Item> parents(MergedView view, List<String> base, List<Item> items) {
            Set<String> covered = new HashSet<>();
            items.forEach(i -> covered.add(i.name()));
            List<Item> out = new ArrayList<>();
            Set<List<String>> dirs = new LinkedHashSet<>();
            for (int k = 1; k <= base.size(); k++) dirs.add(base.subList(0, k));
            for (Item i : items) for (int k = 1; k < i.dest().size(); k++) dirs.add(i.dest().subList(0, k));
            for (List<String> d : dirs) {
                String name = String.join("/", d);
                if (covered.contains(name)) continue;
                covered.add(name);
                Path p = view.at(d);
                try {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                        out.add(new Item(List.copyOf(d), 'd', (Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                                ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000, Optional.empty(), ""));
                    } else {
                        out.add(new Item(List.copyOf(d), 'd', 0755, 0, 0, 0, Optional.empty(), ""));
                    }
                } catch (IOException e) {
                    throw new DockerfileException(Fault.ENVIRONMENT, "cannot read " + p + ": " + e.getMessage(), e);
                }
            }
            return out;
        }

        private static Digest filesDigest(List<Item> items) {
            MessageDigest sha = Digest.sha256();
            for (Item i : items) {
                String head = i.name() + "\u0000" + i.type() + "\u0000" + Integer.toOctalString(i.mode()) + "\u0000" + i.uid() + ":" + i.gid()
                        + "\u0000" + i.link() + "\u0000";
                sha.update(head.getBytes(StandardCharsets.UTF_8));
                if (i.source().isPresent()) {
                    try (InputStream in = Files.newInputStream(i.source().get())) {
                        byte[] buf = new byte[1 << 16];
                        for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
                    } catch (IOException e) {
                        throw new DockerfileException(Fault.INPUT, "cannot read " + i.source().get() + ": " + e.getMessage(), e);
                    }
                }
                sha.update((byte) '\n');
            }
            return Digest.of(sha);
        }

        private static void writeItems(LayerTar tar, List<Item> items) throws IOException {
            for (Item i : items) {
                switch (i.type()) {
                    case 'd' -> tar.dir(i.name(), i.mode(), i.uid(), i.gid(), i.mtime());
                    case 'f' -> tar.file(i.name(), i.mode(), i.uid(), i.gid(), i.mtime(), i.source().orElseThrow());
                    default -> tar.symlink(i.name(), i.link(), i.uid(), i.gid(), i.mtime());
                }
            }
        }

        private static boolean isArchive(Path p) {
            if (!Files.isRegularFile(p)) return false;
            try (InputStream in = Files.newInputStream(p)) {
                byte[] h = in.readNBytes(512);
                if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) return true; // gzip
                if (h.length >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') return true; // bzip2
                if (h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z') return true; // xz
                if (h.length >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5) return true; // zstd
                return h.length == 512 && new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
            } catch (IOException e) {
                return false;
            }
        }

        // ---- WORKDIR

        private void workdir(State st, Instruction ins, Words w) {
            String path = w.word(ins.args());
            String abs = "/" + String.join("/", normalize(path.startsWith("/") ? path : st.workdir() + "/" + path));
            st.c().put("WorkingDir", abs);
            try (MergedView view = MergedView.of(store, st.layers)) {
                List<String> resolved = view.resolve(abs, true);
                if (view.isDirectory(resolved) || resolved.isEmpty()) return;
                if (Files.exists(view.at(resolved), LinkOption.NOFOLLOW_LINKS)) throw ins.fail(abs + " is a file in the image, not a directory");
                List<Item> dirs = parents(view, resolved, List.of());
                Digest key = key("WORKDIR", st, String.join("/", resolved), "");
                if (fromCache(key, st)) return;
                addWrittenLayer(key, st, ins, dirs);
            }
        }

        // ---- layers, keys, config

        @FunctionalInterface
        private interface TarWriter {
            int write(LayerTar tar) throws IOException;
        }

        /** Writes a layer tar and adds it to the store (unpacked with every refusal a pulled layer gets); empty when it has no entries. */
        private Optional<Digest> layerFrom(Instruction ins, TarWriter writer) {
            Path tmp = store.newTemp("build");
            try {
                Path file = tmp.resolve("layer.tar");
                Digest digest;
                int entries;
                try (LayerTar tar = new LayerTar(file)) {
                    entries = writer.write(tar);
                    digest = tar.finish();
                }
                if (entries == 0) return Optional.empty();
                try (InputStream in = Files.newInputStream(file)) {
                    store.unpackLayer(digest, in, Optional.of(digest), ins.where());
                }
                progress.note("layer " + digest.shortId());
                return Optional.of(digest);
            } catch (IOException e) {
                throw new DockerfileException(Fault.ENVIRONMENT, ins.where() + ": cannot write the step's layer: " + e.getMessage(), e);
            } finally {
                Store.deleteTree(tmp);
            }
        }

        /** A step found in the cache adds its layer (if it made one) and is done; true when it was. */
        private boolean fromCache(Digest key, State st) {
            Optional<BuildCache.Outcome> hit = cache.get(key);
            if (hit.isEmpty()) {
                workSteps++;
                return false;
            }
            cachedSteps++;
            progress.cached();
            hit.get().layer().ifPresent(d -> addLayer(st, d));
            return true;
        }

        /** The items as the step's layer, cached under {@code key}. */
        private void addWrittenLayer(Digest key, State st, Instruction ins, List<Item> items) {
            Optional<Digest> layer = layerFrom(ins, tar -> {
                writeItems(tar, items);
                return items.size();
            });
            cache.put(key, new BuildCache.Outcome(layer));
            layer.ifPresent(d -> addLayer(st, d));
        }

        private void addLayer(State st, Digest d) {
            st.layers.add(d);
            st.diffIds.add(d.toString());
        }

        private Digest key(String keyword, State st, String text, String files) {
            String k = keyword + "\n" + st.basis() + "\ntext " + text + "\nfiles " + files;
            return Digest.of(k.getBytes(StandardCharsets.UTF_8));
        }

        private byte[] configBytes(State st) {
            ObjectNode cfg = st.config.deepCopy();
            ObjectNode rootfs = cfg.putObject("rootfs").put("type", "layers");
            ArrayNode ids = rootfs.putArray("diff_ids");
            st.diffIds.forEach(ids::add);
            cfg.remove("history"); // a base's history describes only its own layers
            try {
                return JSON.writeValueAsBytes(cfg);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static List<String> normalize(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!path.startsWith("/")) out.add("..");
                continue;
            }
            out.add(c);
        }
        return out;
    }

    private static String parentOf(String abs) {
        List<String> c = MergedView.split(abs);
        return "/" + String.join("/", c.subList(0, Math.max(0, c.size() - 1)));
    }

    private static List<String> append(List<String> base, String name) {
        List<String> l = new ArrayList<>(base);
        l.add(name);
        return l;
    }

    /** A tail of a step's output, for the error that ends a failed RUN. */
    private static final class Tail {
        private final byte[] buf = new byte[TAIL];
        private int len;
        private boolean cut;

        synchronized void add(byte[] b, int n) {
            if (n >= TAIL) {
                System.arraycopy(b, n - TAIL, buf, 0, TAIL);
                len = TAIL;
                cut = true;
                return;
            }
            int keep = Math.min(len, TAIL - n);
            if (keep < len) cut = true;
            System.arraycopy(buf, len - keep, buf, 0, keep);
            System.arraycopy(b, 0, buf, keep, n);
            len = keep + n;
        }

        @Override
        public synchronized String toString() {
            String s = new String(buf, 0, len, StandardCharsets.UTF_8).stripTrailing();
            return (cut ? "…" : "") + (s.isEmpty() ? "(no output)" : s);
        }
    }
}
