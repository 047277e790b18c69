package dev.ale.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The holds routes as their contract names them, on loopback: {@code GET /holds} and
 * {@code POST /holds/{id}/approve|deny} (200, 409 once decided, 404). The real routes are another
 * part of the server, not yet in this one; this lets the console's side be driven end to end.
 */
final class HoldsContract implements AutoCloseable {

    private final HttpServer server;
    /** Hold id to {sandboxId, state, decidedBy}. */
    private final Map<String, String[]> holds = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    HoldsContract() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void hold(String id, String sandboxId) {
        holds.put(id, new String[] {sandboxId, "pending", ""});
    }

    /** Another operator decides first. */
    void decidedElsewhere(String id, String by) {
        holds.get(id)[1] = "denied";
        holds.get(id)[2] = by;
    }

    String state(String id) {
        return holds.get(id)[1];
    }

    List<String> requests() {
        return requests;
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        requests.add(x.getRequestMethod() + " " + path + " " + x.getRequestHeaders().getFirst("Authorization"));
        if (path.equals("/holds") && x.getRequestMethod().equals("GET")) {
            StringBuilder json = new StringBuilder("[");
            holds.forEach((id, h) -> json.append(json.length() > 1 ? "," : "").append("{\"id\": \"").append(id).append("\", \"sandboxId\": \"").append(h[0])
                    .append("\", \"step\": 2, \"category\": \"tunnel\", \"ruleId\": \"tunnel.ssh.remote-forward\", \"detail\": \"ssh -R 2222:x\",")
                    .append(" \"kind\": \"pre-exec\", \"createdAt\": \"2026-12-05T04:00:00Z\", \"deadline\": \"2026-12-05T05:00:00Z\", \"state\": \"")
                    .append(h[1]).append("\"").append(h[2].isEmpty() ? "" : ", \"decidedBy\": \"" + h[2] + "\", \"decidedAt\": \"2026-12-05T04:01:00Z\"")
                    .append("}"));
            reply(x, 200, json.append("]").toString());
            return;
        }
        String[] parts = path.split("/");
        if (parts.length == 4 && parts[1].equals("holds") && x.getRequestMethod().equals("POST")) {
            String[] h = holds.get(parts[2]);
            if (h == null) {
                reply(x, 404, "{}");
            } else if (!h[1].equals("pending")) {
                reply(x, 409, "{}");
            } else {
                h[1] = parts[3].equals("approve") ? "approved" : "denied";
                h[2] = "root";
                reply(x, 200, "{}");
            }
            return;
        }
        reply(x, 404, "{}");
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
