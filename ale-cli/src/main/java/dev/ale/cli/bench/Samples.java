package dev.ale.cli.bench;

import java.util.Arrays;

/** Timings of one kind of run, in nanoseconds; percentiles by nearest rank. */
final class Samples {

    private final long[] nanos;
    private int size;

    Samples(int capacity) {
        this.nanos = new long[capacity];
    }

    void add(long elapsedNanos) {
        nanos[size++] = elapsedNanos;
    }

    int size() {
        return size;
    }

    double p50Millis() {
        return percentileMillis(50);
    }

    double p90Millis() {
        return percentileMillis(90);
    }

    double p95Millis() {
        return percentileMillis(95);
    }

    double p99Millis() {
        return percentileMillis(99);
    }

    private double percentileMillis(int p) {
        if (size == 0) return Double.NaN;
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
