package dev.ale.runs;

import dev.ale.agent.policy.Policy;
import dev.ale.core.task.Task;

/** Makes the policy for each episode (one instance per episode: built-in policies keep per-episode state). */
public interface PolicySource {

    /** What the run summary calls it: {@code replay}, {@code scripted}, {@code openai:<model>}. */
    String name();

    Policy forEpisode(Task task, int sample);
}
