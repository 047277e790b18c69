package dev.ale.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.host.HostTools;
import dev.ale.image.registry.Digest;
import dev.ale.image.registry.MediaTypes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's real distribution registry ({@code docker-registry serve}) on 127.0.0.1 for one test
 * class, with its storage in a temp directory, and images pushed to it over the registry's own
 * upload API. The class is skipped where the package is not installed.
 */
final class LoopbackRegistry implements BeforeAllCallback, AfterAllCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;
    private Process process;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        assumeTrue(HostTools.find("docker-registry").isPresent(), "docker-registry is not installed (apt-get install docker-registry)");
        dir = Files.createTempDirectory("ale-registry");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: error}
                storage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}
                http: {addr: 127.0.0.1:%d}
                """.formatted(dir.resolve("storage"), port));
        process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) throw new IllegalStateException("the registry did not start: " + Files.readString(dir.resolve("log")));
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor();
        }
        if (dir != null) {
            try (Stream<Path> w = Files.walk(dir)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    String url() {
        return "http://" + host();
    }

    /** Where the registry keeps a blob's bytes (to corrupt it). */
    Path blobFile(Digest d) {
        return dir.resolve("storage/docker/registry/v2/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex()).resolve("data");
    }

    /** A one-platform OCI image with these gzip layers; returns the manifest's digest. */
    Digest pushImage(String repo, String tag, String arch, List<byte[]> tarLayers, ObjectNode containerConfig) throws Exception {
        ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", "linux");
        config.set("config", containerConfig);
        var diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
        var layers = manifest.putArray("layers");
        for (byte[] tar : tarLayers) {
            diffIds.add(Digest.of(tar).toString());
            byte[] gz = gzip(tar);
            layers.addObject().put("mediaType", MediaTypes.OCI_LAYER_GZIP).put("digest", pushBlob(repo, gz).toString()).put("size", gz.length);
        }
        byte[] configBytes = JSON.writeValueAsBytes(config);
        manifest.putObject("config").put("mediaType", MediaTypes.OCI_CONFIG).put("digest", pushBlob(repo, configBytes).toString())
                .put("size", configBytes.length);
        return putManifest(repo, tag, MediaTypes.OCI_MANIFEST, JSON.writeValueAsBytes(manifest));
    }

    /** A Docker v2 schema 2 image (Docker media types throughout) with one layer. */
    Digest pushDockerImage(String repo, String tag, String arch, byte[] tar) throws Exception {
        ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", "linux");
        config.putObject("config").putArray("Env").add("PATH=/bin");
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(Digest.of(tar).toString());
        byte[] gz = gzip(tar);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.DOCKER_MANIFEST);
        manifest.putObject("config").put("mediaType", MediaTypes.DOCKER_CONFIG).put("digest", pushBlob(repo, configBytes).toString())
                .put("size", configBytes.length);
        manifest.putArray("layers").addObject().put("mediaType", MediaTypes.DOCKER_LAYER_GZIP).put("digest", pushBlob(repo, gz).toString())
                .put("size", gz.length);
        return putManifest(repo, tag, MediaTypes.DOCKER_MANIFEST, JSON.writeValueAsBytes(manifest));
    }

    Digest pushBlob(String repo, byte[] blob) throws Exception {
        Digest d = Digest.of(blob);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202) throw new IllegalStateException("upload start: " + start.statusCode() + " " + start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create(url()).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + d);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("upload: " + r.statusCode() + " " + r.body());
        return d;
    }

    Digest putManifest(String repo, String reference, String mediaType, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/manifests/" + reference))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IllegalStateException("manifest put: " + r.statusCode() + " " + r.body());
        return Digest.of(body);
    }

    /** An index (OCI) or manifest list (Docker) whose entries are {@code (digest, size, arch)} in the order given. */
    Digest putIndex(String repo, String tag, String indexType, String entryType, List<Object[]> entries) throws Exception {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", indexType);
        var ms = index.putArray("manifests");
        for (Object[] e : entries) {
            ObjectNode m = ms.addObject().put("mediaType", entryType).put("digest", e[0].toString()).put("size", (Long) e[1]);
            m.putObject("platform").put("architecture", (String) e[2]).put("os", "linux");
        }
        return putManifest(repo, tag, indexType, JSON.writeValueAsBytes(index));
    }

    /** The manifest as the registry serves it for {@code accept}: its digest and size. */
    Object[] manifestOf(String repo, String reference, String accept) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/manifests/" + reference))
                .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("manifest get: " + r.statusCode());
        return new Object[] {Digest.of(r.body()), (long) r.body().length, new String(r.body(), StandardCharsets.UTF_8)};
    }

    static byte[] gzip(byte[] tar) throws IOException {
        var b = new java.io.ByteArrayOutputStream();
        try (var g = new java.util.zip.GZIPOutputStream(b)) {
            g.write(tar);
        }
        return b.toByteArray();
    }
}
