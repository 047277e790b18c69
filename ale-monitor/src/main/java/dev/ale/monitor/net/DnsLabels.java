package dev.ale.monitor.net;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What a DNS name's labels say about it: too long, too random, and which zone it belongs to. */
final class DnsLabels {

    /** Longer than any label people pick; DNS allows 63, and tunnels fill them. */
    static final int LONG_LABEL = 40;
    /** Shorter labels are too few characters to judge. */
    static final int ENCODED_MIN_LENGTH = 20;
    /** Bits per character below which a label repeats itself too much to be encoded data. */
    static final double ENTROPY_BITS = 3.3;

    private DnsLabels() {
    }

    /** The labels, case kept. */
    static List<String> labels(String name) {
        String n = name;
        while (n.endsWith(".")) n = n.substring(0, n.length() - 1);
        return n.isEmpty() ? List.of() : Arrays.asList(n.split("\\."));
    }

    /** The registered zone, taken as the last two labels (three under a two-letter second level: co.uk). */
    static String zone(String name) {
        List<String> l = labels(name);
        if (l.size() <= 2) return String.join(".", l).toLowerCase(Locale.ROOT);
        int keep = l.get(l.size() - 2).length() <= 3 && l.getLast().length() == 2 ? 3 : 2;
        return String.join(".", l.subList(l.size() - keep, l.size())).toLowerCase(Locale.ROOT);
    }

    /** The part of the name below its zone ({@code a1b2} in {@code a1b2.evil.com}); empty when there is none. */
    static String subdomain(String name) {
        List<String> l = labels(name);
        int zoneLabels = zone(name).isEmpty() ? 0 : zone(name).split("\\.").length;
        return String.join(".", l.subList(0, Math.max(0, l.size() - zoneLabels)));
    }

    /**
     * Whether a label looks like encoded data (hex, base32, base64) rather than words. Entropy
     * alone cannot tell: {@code storage-download-europe} scores higher than 24 hex digits. Words
     * have vowels and hyphens and no capitals; encodings have digits spread through them, few
     * vowels, or mixed case. Numbers between hyphens ({@code ec2-54-12-3-4-compute}) are an
     * address written out, not data, and are left out first.
     */
    static boolean looksEncoded(String label) {
        String l = label.replaceAll("(?<=^|-)\\d+(?=-|$)", "").replaceAll("-+", "-");
        if (l.length() < ENCODED_MIN_LENGTH || entropy(l.toLowerCase(Locale.ROOT)) < ENTROPY_BITS) return false;
        boolean mixedCase = !l.equals(l.toLowerCase(Locale.ROOT)) && !l.equals(l.toUpperCase(Locale.ROOT));
        long digits = l.chars().filter(Character::isDigit).count();
        long letters = l.chars().filter(Character::isLetter).count();
        long vowels = l.toLowerCase(Locale.ROOT).chars().filter(c -> "aeiou".indexOf(c) >= 0).count();
        boolean fewVowels = !l.contains("-") && letters > 0 && (double) vowels / letters < 0.3;
        return mixedCase || (double) digits / l.length() >= 0.2 || fewVowels;
    }

    /**
     * Whether the part below the zone, its labels joined, looks like encoded data: a payload cut
     * into labels too short to judge one by one ({@code aGVs.bG8g.d29y.bGQ}) is judged whole.
     */
    static boolean looksEncodedWhole(String subdomain) {
        List<String> labels = labels(subdomain);
        return labels.size() > 1 && looksEncoded(String.join("", labels));
    }

    /**
     * The information a subdomain's text can carry at most, in bits: its length times the Shannon
     * entropy of its characters (case folded, dots left out). Words score lower than encodings.
     */
    static double bits(String subdomain) {
        String text = subdomain.replace(".", "").toLowerCase(Locale.ROOT);
        return text.isEmpty() ? 0 : text.length() * entropy(text);
    }

    /** Shannon entropy of the label's characters, in bits per character. */
    static double entropy(String label) {
        int[] counts = new int[256];
        int n = 0;
        for (char c : label.toCharArray()) {
            counts[c & 0xff]++;
            n++;
        }
        double bits = 0;
        for (int c : counts) {
            if (c == 0) continue;
            double p = (double) c / n;
            bits -= p * Math.log(p) / Math.log(2);
        }
        return bits;
    }
}
