package dev.ale.monitor.net;

import java.time.Duration;

/**
 * When many destinations become a scan, and many names a tunnel: counts of distinct hosts, ports on
 * one host, and subdomains of one zone within one window of gateway time; and counts of distinct
 * hosts and ports on one host over the whole watch (an episode), which a scan paced slower than
 * the window still reaches.
 */
public record NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone,
                                int episodeHosts, int episodePortsPerHost) {

    public NetworkThresholds {
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive: " + window);
        if (hosts < 2 || portsPerHost < 2 || subdomainsPerZone < 2) {
            throw new IllegalArgumentException("fan-out thresholds must be at least 2");
        }
        if (episodeHosts < hosts || episodePortsPerHost < portsPerHost) {
            throw new IllegalArgumentException("episode fan-out thresholds must be at least the windowed ones: hosts "
                    + episodeHosts + " < " + hosts + " or ports " + episodePortsPerHost + " < " + portsPerHost);
        }
    }

    /** Windowed thresholds only; the episode counts are as high as the windowed ones' defaults allow. */
    public NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone) {
        this(window, hosts, portsPerHost, subdomainsPerZone, Math.max(hosts, EPISODE_HOSTS), Math.max(portsPerHost, EPISODE_PORTS));
    }

    /**
     * Over an episode: 24 hosts or 32 ports on one host, counting only what the gateway refused or
     * sank (allowlisted fetches through the proxy never count). Elastic's rules use 250 hosts and
     * 100 ports, over all traffic of a real host; a sandbox's refused destinations are far fewer,
     * so a 40-host or 50-port scan is caught and a build that tried 5 mirrors is not.
     */
    static final int EPISODE_HOSTS = 24;
    static final int EPISODE_PORTS = 32;

    /** 8 hosts, 16 ports on one host, 20 subdomains of one zone, each within 10 s; 24 hosts or 32 ports per episode. */
    public static NetworkThresholds defaults() {
        return new NetworkThresholds(Duration.ofSeconds(10), 8, 16, 20, EPISODE_HOSTS, EPISODE_PORTS);
    }
}
