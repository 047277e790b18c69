package dev.ale.monitor.net;

import java.time.Duration;

/**
 * When many destinations become a scan, and many names a tunnel: counts of distinct hosts, ports on
 * one host, and subdomains of one zone within one window of gateway time; and, over a longer
 * window, a budget per zone of distinct names and of the information their labels carry, which a
 * slow drip of data out through DNS spends however it spells its labels.
 *
 * @param budgetWindow      how long names count against their zone's budget
 * @param namesPerZone      distinct names under one zone within the budget window
 * @param labelBitsPerZone  bits of label text (length times Shannon entropy, summed over the distinct
 *                          names) under one zone within the budget window
 */
public record NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone,
                                Duration budgetWindow, int namesPerZone, int labelBitsPerZone) {

    public NetworkThresholds {
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive: " + window);
        if (hosts < 2 || portsPerHost < 2 || subdomainsPerZone < 2) {
            throw new IllegalArgumentException("fan-out thresholds must be at least 2");
        }
        if (budgetWindow.compareTo(window) < 0) {
            throw new IllegalArgumentException("budgetWindow " + budgetWindow + " must be at least the window " + window);
        }
        if (namesPerZone < 2 || labelBitsPerZone < 64) {
            throw new IllegalArgumentException("DNS budgets must be at least 2 names and 64 bits: " + namesPerZone + ", " + labelBitsPerZone);
        }
    }

    /** Fan-out thresholds, with the default DNS budgets. */
    public NetworkThresholds(Duration window, int hosts, int portsPerHost, int subdomainsPerZone) {
        this(window, hosts, portsPerHost, subdomainsPerZone, max(window, Duration.ofMinutes(10)), 64, 4096);
    }

    /**
     * 8 hosts, 16 ports on one host, 20 subdomains of one zone, each within 10 s; per zone, 64
     * distinct names or 4096 bits of label text (half a kilobyte of data at best) within 10 min.
     * A package index or CDN under a wildcard uses a handful of names with a few hundred bits.
     */
    public static NetworkThresholds defaults() {
        return new NetworkThresholds(Duration.ofSeconds(10), 8, 16, 20);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
