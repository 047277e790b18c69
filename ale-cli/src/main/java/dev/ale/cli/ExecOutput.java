package dev.ale.cli;

import dev.ale.cli.common.Json;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How {@code sandbox run} and {@code sandbox exec} show a command: live output and a summary
 * line on stderr, or (with {@code --json}) nothing until one JSON object with everything.
 */
final class ExecOutput {

    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;
    /** The last byte streamed, so the summary starts on a line of its own. */
    private volatile byte last = '\n';

    ExecOutput(Cli cli, boolean json) {
        this.out = cli.out();
        this.err = cli.err();
        this.json = json;
    }

    ExecRequest request(List<String> command, Optional<Duration> timeout) {
        ExecRequest request = ExecRequest.of(command).withListener(json ? OutputListener.NONE : this::stream);
        return timeout.map(request::withTimeout).orElse(request);
    }

    void finish(String sandboxId, ExecResult result) {
        if (json) {
            Json.print(out, Json.execResult(sandboxId, result));
            return;
        }
        out.flush();
        if (last != '\n') err.println();
        err.println(summary(sandboxId, result));
    }

    static String summary(String sandboxId, ExecResult r) {
        String took = Durations.format(r.duration());
        if (r.killed()) {
            return "[" + sandboxId + "] killed (" + r.reason().orElse("unknown") + ") after " + took + ", exit " + r.exitCode();
        }
        return "[" + sandboxId + "] exit " + r.exitCode() + " after " + took;
    }

    private void stream(OutputListener.Stream stream, byte[] bytes, int length) {
        PrintStream target = stream == OutputListener.Stream.STDOUT ? out : err;
        target.write(bytes, 0, length);
        target.flush();
        if (length > 0) last = bytes[length - 1];
    }
}
