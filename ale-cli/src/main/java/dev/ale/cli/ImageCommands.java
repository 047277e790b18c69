package dev.ale.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Json;
import dev.ale.containment.GuardedBackend;
import dev.ale.core.passport.Passport;
import dev.ale.gateway.HostResolver;
import dev.ale.image.ImageStore;
import dev.ale.image.build.BuildProgress;
import dev.ale.image.build.BuildResult;
import dev.ale.image.build.ImageBuilder;
import dev.ale.image.PruneReport;
import dev.ale.image.PullProgress;
import dev.ale.image.StoredImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ale image pull|build|import|ls|rm|prune}: the image store under the data directory (docs/images.md). */
final class ImageCommands {

    private ImageCommands() {
    }

    /** {@code ale image pull}: fetches an image and unpacks its layers once. */
    @Command(name = "pull", description = {"Pull an image from a registry (or its mirror) into the store.",
            "Credentials come from REGISTRY_AUTH_FILE or ~/.docker/config.json; mirrors from --registry-mirror or ALE_REGISTRY_MIRRORS."})
    static final class Pull implements Callable<Integer> {
        private final Cli cli;

        @Parameters(paramLabel = "IMAGE", description = "e.g. debian:bookworm, ghcr.io/org/name:tag or name@sha256:…")
        private String image;

        @Option(names = "--registry-mirror", paramLabel = "REGISTRY=URL", description = "Fetch REGISTRY's images from URL; repeatable.")
        private java.util.List<String> mirrors = new ArrayList<>();

        Pull(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.registryMirrors(mirrors);
            StoredImage i = cli.images().pull(image, new Bar(cli.err()));
            cli.out().println(i.names().isEmpty() ? i.id() : i.names().getFirst() + " " + i.id());
            return Failures.OK;
        }
    }

    /** {@code ale image build}: a Dockerfile built step by step, each RUN in a guarded sandbox (docs/images.md, "Dockerfile builds"). */
    @Command(name = "build", description = {"Build an image from a Dockerfile in CONTEXT. Each RUN runs in a sandbox behind ALE's gateway,",
            "in the setup phase (the passport's setup egress); steps are cached by content. Progress goes to stderr."})
    static final class Build implements Callable<Integer> {
        private final Cli cli;

        @Parameters(paramLabel = "CONTEXT", description = "The build context: the directory COPY and ADD read from.")
        private Path context;

        @Option(names = {"-t", "--tag"}, paramLabel = "NAME", description = "Name the image (repeatable).")
        private java.util.List<String> tags = new ArrayList<>();

        @Option(names = {"-f", "--file"}, paramLabel = "DOCKERFILE", description = "The Dockerfile (default: CONTEXT/Dockerfile).")
        private Optional<Path> file = Optional.empty();

        @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "A value for an ARG (repeatable).")
        private java.util.List<String> buildArgs = new ArrayList<>();

        @Option(names = "--passport", paramLabel = "FILE",
                description = "Passport build sandboxes are made from (its setup egress is what RUN may reach; default: the built-in one).")
        private Optional<Path> passport = Optional.empty();

        @Option(names = "--run-timeout", paramLabel = "SECONDS", description = "How long one RUN may take (default: ${DEFAULT-VALUE}).")
        private long runTimeout = 1800;

        @Option(names = "--registry-mirror", paramLabel = "REGISTRY=URL", description = "Fetch REGISTRY's images from URL; repeatable.")
        private java.util.List<String> mirrors = new ArrayList<>();

        Build(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.registryMirrors(mirrors);
            Map<String, String> args = new LinkedHashMap<>();
            for (String a : buildArgs) {
                int eq = a.indexOf('=');
                if (eq <= 0) {
                    cli.err().println("ale: --build-arg " + a + ": give NAME=VALUE");
                    return Failures.INPUT;
                }
                args.put(a.substring(0, eq), a.substring(eq + 1));
            }
            Passport p = Cli.passport(passport);
            Path dockerfile = file.orElse(context.resolve("Dockerfile"));
            ImageBuilder.Request request = new ImageBuilder.Request(context, dockerfile, tags, args, p, java.time.Duration.ofSeconds(runTimeout));
            try (GuardedBackend containment = cli.openGuardedBackend(HostResolver.system())) {
                BuildResult r = new ImageBuilder(cli.images(), containment).build(request, new Printer(cli.err()));
                cli.err().println("ale: built " + r.image().shortId() + " (" + r.steps() + " steps run, " + r.cached() + " from the cache, "
                        + r.sandboxes() + " sandboxes)");
                StoredImage i = r.image();
                cli.out().println(i.names().stream().filter(n -> !n.contains("@")).findFirst().map(n -> n + " ").orElse("") + i.id());
            }
            return Failures.OK;
        }
    }

    /** Build progress on stderr: each instruction as written (continuation lines too), then what became of it; RUN output indented. */
    static final class Printer implements BuildProgress {
        private final PrintStream err;
        private boolean lineStart = true;

        Printer(PrintStream err) {
            this.err = err;
        }

        @Override
        public synchronized void step(int step, int steps, String where, java.util.List<String> lines) {
            endOutput();
            err.println("[" + step + "/" + steps + "] " + where);
            for (String l : lines) err.println("  " + l);
        }

        @Override
        public synchronized void cached() {
            endOutput();
            err.println("  -> cached");
        }

        @Override
        public synchronized void note(String text) {
            endOutput();
            err.println("  -> " + text);
        }

        @Override
        public synchronized void output(byte[] bytes, int length) {
            String s = new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            for (char c : s.toCharArray()) {
                if (lineStart) out.append("  | ");
                out.append(c);
                lineStart = c == '\n';
            }
            err.print(out);
            err.flush();
        }

        @Override
        public PullProgress pulls() {
            endOutput();
            return new Bar(err);
        }

        private void endOutput() {
            if (!lineStart) err.println();
            lineStart = true;
        }
    }

    /** {@code ale image import}: a rootfs tarball or an OCI layout as an image. */
    @Command(name = "import", description = {"Import a rootfs tarball (plain or gzip) as a one-layer image NAME,",
            "or with --oci an OCI layout directory or archive (its image TAG with DIR:TAG)."})
    static final class Import implements Callable<Integer> {
        private final Cli cli;

        @Parameters(index = "0", paramLabel = "SOURCE", description = "ROOTFS.tar[.gz], or with --oci DIR[:TAG] / ARCHIVE[:TAG]")
        private String source;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The image's name (required for a rootfs).")
        private String name;

        @Option(names = "--oci", description = "SOURCE is an OCI layout (directory or tar archive).")
        private boolean oci;

        Import(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ImageStore store = cli.images();
            StoredImage i;
            if (oci) {
                int colon = source.lastIndexOf(':');
                Path path = Path.of(colon > 0 ? source.substring(0, colon) : source);
                Optional<String> tag = colon > 0 ? Optional.of(source.substring(colon + 1)) : Optional.empty();
                i = store.importOciLayout(path, tag, Optional.ofNullable(name));
            } else {
                if (name == null) {
                    cli.err().println("ale: import " + source + ": give the image a NAME (e.g. ale image import rootfs.tar myimage:1)");
                    return Failures.INPUT;
                }
                i = store.importRootfs(Path.of(source), name);
            }
            cli.out().println((i.names().isEmpty() ? "" : i.names().getFirst() + " ") + i.id());
            return Failures.OK;
        }
    }

    /** {@code ale image ls}. */
    @Command(name = "ls", description = "List the images in the store.")
    static final class List implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--json", description = "Print {\"images\": [...]} as JSON.")
        private boolean json;

        List(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            java.util.List<StoredImage> images = cli.images().list();
            if (json) {
                ObjectNode root = Json.object();
                ArrayNode list = root.putArray("images");
                for (StoredImage i : images) {
                    ObjectNode o = list.addObject().put("id", i.id()).put("bytes", i.bytes()).put("layers", i.layers())
                            .put("created", i.created().toString()).put("inUse", i.inUse()).put("source", i.source());
                    i.names().forEach(o.putArray("names")::add);
                }
                Json.print(cli.out(), root);
            } else if (images.isEmpty()) {
                cli.out().println("No images. Pull one with: ale image pull IMAGE");
            } else {
                java.util.List<java.util.List<String>> rows = new ArrayList<>();
                rows.add(java.util.List.of("NAME", "ID", "SIZE", "LAYERS", "IN USE"));
                for (StoredImage i : images) {
                    String name = i.names().stream().filter(n -> !n.contains("@")).findFirst()
                            .orElse(i.names().isEmpty() ? "<none>" : i.names().getFirst());
                    rows.add(java.util.List.of(name, i.shortId(), size(i.bytes()), String.valueOf(i.layers()), i.inUse() ? "yes" : "no"));
                }
                Tables.print(cli.out(), rows);
            }
            return Failures.OK;
        }
    }

    /** {@code ale image rm}. */
    @Command(name = "rm", description = "Remove an image name; the image goes with its last name (refused while a sandbox uses it).")
    static final class Remove implements Callable<Integer> {
        private final Cli cli;

        @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Names or ids.")
        private java.util.List<String> images;

        Remove(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ImageStore store = cli.images();
            for (String i : images) {
                store.remove(i);
                cli.out().println("removed " + i);
            }
            return Failures.OK;
        }
    }

    /** {@code ale image prune}. */
    @Command(name = "prune", description = {"Remove what no sandbox uses: unnamed images, unreferenced layers and blobs,",
            "leftovers of interrupted pulls; with --all every image no sandbox runs on."})
    static final class Prune implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--all", description = "Also remove named images no sandbox uses.")
        private boolean all;

        Prune(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            PruneReport r = cli.images().prune(all);
            r.images().forEach(i -> cli.out().println("removed " + i));
            cli.out().println("Freed " + size(r.bytesFreed()) + " (" + r.layers() + " layers, " + r.blobs() + " blobs).");
            return Failures.OK;
        }
    }

    static String size(long bytes) {
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1024.0 / 1024.0);
    }

    /** A progress bar on stderr: redrawn in place at most five times a second, one final line. */
    static final class Bar implements PullProgress {
        private final PrintStream err;
        private final boolean live = System.console() != null;
        private String image = "";
        private long total;
        private long done;
        private long lastDraw;

        Bar(PrintStream err) {
            this.err = err;
        }

        @Override
        public void started(String image, long totalBytes, int layers) {
            this.image = image;
            this.total = totalBytes;
            if (totalBytes == 0) {
                err.println("ale: " + image + ": all " + layers + " layers are already here");
            } else if (!live) {
                err.println("ale: pulling " + image + " (" + size(totalBytes) + ", " + layers + " layers)");
            }
        }

        @Override
        public synchronized void advanced(long bytes) {
            done += bytes;
            long now = System.nanoTime();
            if (live && now - lastDraw > 200_000_000L) {
                lastDraw = now;
                int width = 30;
                int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
                err.print("\r" + image + " [" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + size(done) + " / " + size(total));
                err.flush();
            }
        }

        @Override
        public void finished() {
            if (total == 0) return;
            if (live) err.print("\r");
            err.println("ale: pulled " + image + " (" + size(done) + ")" + (live ? " ".repeat(20) : ""));
        }
    }
}
