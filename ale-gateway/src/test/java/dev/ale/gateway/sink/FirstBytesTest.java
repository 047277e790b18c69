package dev.ale.gateway.sink;

import dev.ale.gateway.sink.Classification.Empty;
import dev.ale.gateway.sink.Classification.Http;
import dev.ale.gateway.sink.Classification.JsonRpc;
import dev.ale.gateway.sink.Classification.Ssh;
import dev.ale.gateway.sink.Classification.StratumMining;
import dev.ale.gateway.sink.Classification.Unknown;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class FirstBytesTest {

    static final String XMRIG_LOGIN = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"wallet\","
            + "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\"}}\n";

    @Test
    void sshBannerIsSshWithoutItsLineEnd() {
        assertThat(classify("SSH-2.0-OpenSSH_9.2p1\r\n")).isEqualTo(new Ssh("SSH-2.0-OpenSSH_9.2p1"));
    }

    @Test
    void sshBannerCutShortIsStillSsh() {
        assertThat(classify("SSH-2.0-Open")).isEqualTo(new Ssh("SSH-2.0-Open"));
    }

    @Test
    void controlCharactersInABannerAreMasked() {
        assertThat(classify("SSH-2.0-evil\u001b[31m\u0000\r\n")).isEqualTo(new Ssh("SSH-2.0-evil?[31m?"));
    }

    @Test
    void xmrigLoginIsStratumWithItsAgentAndWallet() {
        assertThat(classify(XMRIG_LOGIN)).isEqualTo(
                new StratumMining("login", "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0", "wallet"));
    }

    @Test
    void miningSubscribeTakesTheAgentFromItsFirstParameter() {
        assertThat(classify("{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer/2.5.1\"]}\n"))
                .isEqualTo(new StratumMining("mining.subscribe", "cpuminer/2.5.1", ""));
    }

    @Test
    void miningAuthorizeTakesTheWorkerAsLogin() {
        assertThat(classify("{\"params\": [\"bc1qworker.rig1\", \"x\"], \"id\": 2, \"method\": \"mining.authorize\"}\n"))
                .isEqualTo(new StratumMining("mining.authorize", "", "bc1qworker.rig1"));
    }

    @Test
    void everyListedMiningMethodIsStratum() {
        for (String method : new String[] {"keepalived", "mining.subscribe", "mining.authorize", "mining.submit",
                "mining.extranonce.subscribe", "eth_submitLogin", "eth_getWork", "eth_submitWork", "getjob", "getblocktemplate"}) {
            assertThat(classify("{\"id\":7,\"method\":\"" + method + "\",\"params\":{}}\n"))
                    .isEqualTo(new StratumMining(method, "", ""));
        }
        assertThat(classify("{\"id\":7,\"method\":\"login\",\"params\":{\"login\":\"w\",\"pass\":\"x\"}}\n"))
                .isEqualTo(new StratumMining("login", "", "w"));
        assertThat(classify("{\"id\":7,\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"2\",\"nonce\":\"ab\"}}\n"))
                .isEqualTo(new StratumMining("submit", "", ""));
    }

    /** Other JSON-RPC APIs have their own login and submit; only a miner's parameters make them mining. */
    @Test
    void loginAndSubmitWithoutAMinersParametersAreOtherJsonRpc() {
        assertThat(classify("{\"id\":7,\"method\":\"login\",\"params\":{}}\n")).isEqualTo(new JsonRpc("login"));
        assertThat(classify("{\"id\":7,\"method\":\"login\",\"params\":{\"username\":\"bob\",\"password\":\"x\"}}\n"))
                .isEqualTo(new JsonRpc("login"));
        assertThat(classify("{\"id\":7,\"method\":\"submit\",\"params\":{\"form\":\"contact\"}}\n")).isEqualTo(new JsonRpc("submit"));
    }

    @Test
    void carelesslyWrittenJsonIsStillRead() {
        assertThat(classify("{id:1, method:'login', params:{login:'w', agent:'xmrig/6.0',},}\n"))
                .isEqualTo(new StratumMining("login", "xmrig/6.0", "w"));
    }

    /** A pool that skips lines it cannot read would still log the miner in: so the sink reads on. */
    @Test
    void aMiningCallOnALaterLineStillCounts() {
        assertThat(classify(XMRIG_LOGIN + "not json at all\n")).isInstanceOf(StratumMining.class);
        assertThat(classify("hello\n" + XMRIG_LOGIN)).isInstanceOf(StratumMining.class);
        assertThat(classify("hello\nworld\n")).isInstanceOf(Unknown.class);
    }

    @Test
    void otherJsonRpcIsJsonRpcWithItsMethod() {
        assertThat(classify("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}\n"))
                .isEqualTo(new JsonRpc("eth_blockNumber"));
    }

    @Test
    void jsonWithoutAMethodIsUnknown() {
        assertThat(classify("{\"id\":1,\"result\":true}\n")).isInstanceOf(Unknown.class);
        assertThat(classify("{\"id\":1,\"method\":42}\n")).isInstanceOf(Unknown.class);
        assertThat(classify("[1,2,3]\n")).isInstanceOf(Unknown.class);
    }

    @Test
    void deeplyNestedJsonIsUnknownNotAnError() {
        String deep = "[".repeat(FirstBytes.MAX_BYTES - 1) + "\n";

        assertThat(classify(deep)).isInstanceOf(Unknown.class);
    }

    @Test
    void httpGetYieldsMethodHostAndPath() {
        assertThat(classify("GET /index.html?q=1 HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nHost: example.com:8080\r\n\r\n"))
                .isEqualTo(new Http("GET", "example.com:8080", "/index.html?q=1"));
    }

    @Test
    void hostHeaderIsFoundWhateverItsCase() {
        assertThat(classify("POST /api HTTP/1.0\nhOsT:  api.example  \n\n")).isEqualTo(new Http("POST", "api.example", "/api"));
    }

    @Test
    void connectYieldsItsTargetEvenWithoutAHostHeader() {
        assertThat(classify("CONNECT pool.example:3333 HTTP/1.1\r\n\r\n"))
                .isEqualTo(new Http("CONNECT", "pool.example:3333", "pool.example:3333"));
        assertThat(classify("CONNECT pool.example:3333 HTTP/1.1\r\nHost: pool.example:3333\r\n\r\n"))
                .isEqualTo(new Http("CONNECT", "pool.example:3333", "pool.example:3333"));
    }

    @Test
    void absoluteFormRequestIsSplitIntoHostAndPath() {
        // A proxy-style request for the cloud metadata service; nothing here is ever dialled.
        assertThat(classify("GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n\r\n"))
                .isEqualTo(new Http("GET", "169.254.169.254", "/latest/meta-data/"));
    }

    @Test
    void requestLineWithoutHttpVersionIsNotHttp() {
        assertThat(classify("GET /\r\n")).isInstanceOf(Unknown.class);
    }

    @Test
    void nothingIsEmpty() {
        assertThat(FirstBytes.classify(new byte[0], 0)).isEqualTo(new Empty());
        assertThat(FirstBytes.classify(new byte[FirstBytes.MAX_BYTES], 0)).isEqualTo(new Empty());
    }

    @Test
    void lengthIsClampedToTheArray() {
        byte[] banner = "SSH-2.0-x".getBytes(StandardCharsets.US_ASCII);

        assertThat(FirstBytes.classify(banner, 1000)).isEqualTo(new Ssh("SSH-2.0-x"));
        assertThat(FirstBytes.classify(banner, -1)).isEqualTo(new Empty());
    }

    @Test
    void binaryBytesAreUnknownWithTheirFirst32BytesInHex() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] bytes = new byte[1 + random.nextInt(FirstBytes.MAX_BYTES)];
            random.nextBytes(bytes);
            bytes[0] = (byte) random.nextInt(9); // a control byte: no protocol here starts with one

            assertThat(FirstBytes.classify(bytes, bytes.length)).isEqualTo(
                    new Unknown(HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32))));
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(11);
        String starts = "SSH-{GET \u0016\u0003";
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(FirstBytes.MAX_BYTES + 1)];
            random.nextBytes(bytes);
            // Start some of them like a real protocol so the deeper parsers see garbage too.
            int lead = Math.min(bytes.length, random.nextInt(starts.length() + 1));
            System.arraycopy(starts.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 0, lead);

            assertThatCode(() -> FirstBytes.classify(bytes, bytes.length)).doesNotThrowAnyException();
            assertThatCode(() -> FirstBytes.complete(bytes, bytes.length)).doesNotThrowAnyException();
        }
    }

    @Test
    void aLineIsCompleteAtItsNewline() {
        assertThat(complete("SSH-2.0-OpenSSH_9.2p1")).isFalse();
        assertThat(complete("SSH-2.0-OpenSSH_9.2p1\r\n")).isTrue();
        assertThat(complete(XMRIG_LOGIN.substring(0, 40))).isFalse();
        assertThat(complete(XMRIG_LOGIN)).isTrue();
        assertThat(complete("")).isFalse();
    }

    @Test
    void anHttpRequestIsCompleteOnlyAtTheEndOfItsHead() {
        assertThat(complete("GET / HTTP/1.1\r\n")).isFalse();
        assertThat(complete("GET / HTTP/1.1\r\nHost: example.com\r\n")).isFalse();
        assertThat(complete("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")).isTrue();
    }

    @Test
    void aLineThatIsNoRequestLineIsCompleteAtItsNewline() {
        assertThat(complete("EHLO mail.example\r\n")).isTrue();
        assertThat(complete("NICK agent\r\n")).isTrue();
        assertThat(complete("NICK agent")).isFalse();
    }

    private static Classification classify(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // Give it a bigger buffer than the bytes, as the sink does, to check that length is honoured.
        return FirstBytes.classify(Arrays.copyOf(bytes, bytes.length + 16), bytes.length);
    }

    private static boolean complete(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return FirstBytes.complete(Arrays.copyOf(bytes, bytes.length + 16), bytes.length);
    }
}
