package dev.ale.cli.bench;

import dev.ale.agent.tool.ToolRunner;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.AleException;
import dev.ale.core.model.ToolCall;
import dev.ale.core.task.Task;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.env.Action;
import dev.ale.episode.env.Environment;
import dev.ale.episode.env.StepResult;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The baseline side: {@link Environment}s made the way the server makes them, stepped by calling {@link Environment#step} directly. */
final class InProcessGemEnvs implements GemStepBench.Side {

    private final GuardedBackend containment;
    private final Task task;
    private final ToolRunner runner = new ToolRunner(Toolbox.standard());
    private final List<Environment> made = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    InProcessGemEnvs(GuardedBackend containment, Task task) {
        this.containment = containment;
        this.task = task;
    }

    @Override
    public GemStepBench.Env open() {
        int n = count.incrementAndGet();
        Environment env = new Environment("bench-local-" + n, task, containment, runner, ending -> { });
        made.add(env);
        env.reset(OptionalLong.of(n));
        AtomicInteger steps = new AtomicInteger();
        return () -> {
            // a fresh call id per step, as the server gives one (call_N) to an action sent without
            String id = "call_" + steps.incrementAndGet();
            StepResult r = env.step(new Action.Call(new ToolCall(id, GemStepBench.TOOL, GemStepBench.ARGUMENTS)));
            if (!r.status().equals("ok") || r.ending().isPresent()) {
                throw new AleException(AleException.Fault.ENVIRONMENT, "in-process environment " + env.id() + ", step " + r.step()
                        + ": status " + r.status() + (r.ending().isPresent() ? ", episode ended (" + r.ending().get().reason() + ")" : "")
                        + ": " + r.observation().strip());
            }
        };
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Environment env : made) {
            try {
                env.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
