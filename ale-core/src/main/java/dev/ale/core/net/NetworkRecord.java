package dev.ale.core.net;

import java.time.Instant;

/**
 * One thing the gateway saw a sandbox do on the network. The gateway only records; the monitor
 * judges. {@code sandbox} is the sandbox id the gateway attributed the traffic to.
 */
public sealed interface NetworkRecord permits ConnectionRecord, DnsRecord, ProxyRecord, DropRecord, DatagramRecord {

    String sandbox();

    Instant time();
}
