package dev.ale.monitor.net;

import java.time.Duration;

/**
 * When many destinations become a scan, and many names a tunnel: counts of distinct hosts, ports on
 * one host, and subdomains of one zone within one window of gateway time; counts of distinct hosts
 * and ports on one host over the whole watch (an episode), which a scan paced slower than the
 * window still reaches; and, over a longer window, a budget per zone of distinct names and of the
 * information their labels carry, which a slow drip of data out through DNS spends however it
 * spells its labels.
 *
 * @param episodeHosts      distinct hosts refused or sunk over the whole watch
 * @param episodePortsPerHost distinct ports on one host refused or sunk over the whole watch
 * @param budgetWindow      how long names count against their zone's budget
 * @param namesPerZone      distinct names under one zone within the budget window
 * @param labelBitsPerZone  bits of label text (length times Shannon entropy, summed over the distinct
 *                          names) under one zone within the budget window
 */
public record NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone,
                                int episodeHosts, int episodePortsPerHost,
                                Duration budgetWindow, int namesPerZone, int labelBitsPerZone) {

    /**
     * Over an episode: 24 hosts or 32 ports on one host, counting only what the gateway refused or
     * sank (allowlisted fetches through the proxy never count). Elastic's rules use 250 hosts and
     * 100 ports, over all traffic of a real host; a sandbox's refused destinations are far fewer,
     * so a 40-host or 50-port scan is caught and a build that tried 5 mirrors is not.
     */
    static final int EPISODE_HOSTS = 24;
    static final int EPISODE_PORTS = 32;

    public NetworkThresholds {
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive: " + window);
        if (hosts < 2 || portsPerHost < 2 || subdomainsPerZone < 2) {
            throw new IllegalArgumentException("fan-out thresholds must be at least 2");
        }
        if (episodeHosts < hosts || episodePortsPerHost < portsPerHost) {
            throw new IllegalArgumentException("episode fan-out thresholds must be at least the windowed ones: hosts "
                    + episodeHosts + " < " + hosts + " or ports " + episodePortsPerHost + " < " + portsPerHost);
        }
        if (budgetWindow.compareTo(window) < 0) {
            throw new IllegalArgumentException("budgetWindow " + budgetWindow + " must be at least the window " + window);
        }
        if (namesPerZone < 2 || labelBitsPerZone < 64) {
            throw new IllegalArgumentException("DNS budgets must be at least 2 names and 64 bits: " + namesPerZone + ", " + labelBitsPerZone);
        }
    }

    /** Windowed fan-out thresholds, with the default episode counts (at least the windowed ones) and DNS budgets. */
    public NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone) {
        this(window, hosts, portsPerHost, subdomainsPerZone, Math.max(hosts, EPISODE_HOSTS), Math.max(portsPerHost, EPISODE_PORTS),
                max(window, Duration.ofMinutes(10)), 64, 4096);
    }

    /** The same thresholds with other counts over the whole episode. */
    public NetworkThresholds withEpisodeFanOut(int newEpisodeHosts, int newEpisodePortsPerHost) {
        return new NetworkThresholds(window, hosts, portsPerHost, subdomainsPerZone, newEpisodeHosts, newEpisodePortsPerHost,
                budgetWindow, namesPerZone, labelBitsPerZone);
    }

    /**
     * 8 hosts, 16 ports on one host, 20 subdomains of one zone, each within 10 s; 24 hosts or 32
     * ports per episode; per zone, 64 distinct names or 4096 bits of label text (half a kilobyte of
     * data at best) within 10 min. A package index or CDN under a wildcard uses a handful of names
     * with a few hundred bits.
     */
    public static NetworkThresholds defaults() {
        return new NetworkThresholds(Duration.ofSeconds(10), 8, 16, 20);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
