package dev.ale.image.build;

import java.util.List;

/** What a build reports as it goes: each instruction as written, whether it came from the cache, a RUN's output as it comes. */
public interface BuildProgress {

    /** Instruction {@code step} of {@code steps} (counting every stage's FROM), with its lines exactly as written. */
    void step(int step, int steps, String where, List<String> lines);

    /** The step just announced was answered from the cache. */
    void cached();

    /** A note about the step just announced (a layer made, a value recorded only). */
    void note(String text);

    /** Output of a RUN, as the sandbox produces it. */
    void output(byte[] bytes, int length);

    /** How the pull of a base image a build needs is shown (none by default). */
    default dev.ale.image.PullProgress pulls() {
        return dev.ale.image.PullProgress.none();
    }
}
