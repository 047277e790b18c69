package dev.ale.core.sandbox;

/** Sees a command's output as it is produced, in the order each stream produced it. */
@FunctionalInterface
public interface OutputListener {

    OutputListener NONE = (stream, bytes, length) -> { };

    enum Stream { STDOUT, STDERR }

    /** {@code bytes[0..length)} was just read from {@code stream}; the array is reused after return. */
    void onOutput(Stream stream, byte[] bytes, int length);
}
