package dev.ale.gateway.sink;

import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.Opening;
import java.util.Optional;

/** Turns what the sink saw into the record the monitor reads, attributed to a sandbox. */
public final class ConnectionRecords {

    private ConnectionRecords() {
    }

    /**
     * The record of {@code sink} for {@code sandbox}. When conntrack had no entry the destination
     * is {@code ""} and port 0: the connection still happened and is still recorded.
     */
    public static ConnectionRecord of(SinkRecord sink, String sandbox) {
        String address = sink.destination().map(d -> d.address().getHostAddress()).orElse("");
        int port = sink.destination().map(OriginalDestination::port).orElse(0);
        Opening o = opening(sink.classification(), sink.firstBytes());
        return new ConnectionRecord(sandbox, sink.time(), address, port, o.protocol(), o.name(), o.detail(), o.firstBytes());
    }

    /**
     * The protocol, name and detail of a classification, as records carry them, with the first
     * bytes as escaped text: the same words for the same bytes whether the sink or the proxy read them.
     */
    public static Opening opening(Classification classification, String firstBytes) {
        return switch (classification) {
            case Classification.Ssh ssh -> new Opening("ssh", Optional.empty(), ssh.banner(), firstBytes);
            case Classification.StratumMining m -> new Opening("stratum", Optional.empty(),
                    "method=" + m.method() + " agent=" + m.agent() + " login=" + m.login(), firstBytes);
            case Classification.JsonRpc rpc -> new Opening("json-rpc", Optional.empty(), "method=" + rpc.method(), firstBytes);
            case Classification.Http http -> new Opening("http", nonEmpty(http.host()),
                    http.method() + " " + http.path() + (http.upgrade().isEmpty() ? "" : " upgrade=" + http.upgrade()), firstBytes);
            case Classification.Tls tls -> new Opening("tls", tls.sni(), tls.version(), firstBytes);
            case Classification.ReverseShell shell -> new Opening("shell", Optional.empty(), shell.evidence(), firstBytes);
            case Classification.Dns dns -> new Opening("dns", nonEmpty(dns.name()),
                    dns.name().isEmpty() ? "query not all arrived" : dns.type() + " " + dns.name(), firstBytes);
            case Classification.Empty ignored -> new Opening("empty", Optional.empty(), "", firstBytes);
            case Classification.Skipped skipped -> new Opening(ConnectionRecord.SKIPPED, Optional.empty(), skipped.reason(), firstBytes);
            case Classification.Unknown unknown -> new Opening("unknown", Optional.empty(), unknown.hexPrefix(), firstBytes);
        };
    }

    private static Optional<String> nonEmpty(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
