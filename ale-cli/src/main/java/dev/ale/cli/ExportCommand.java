package dev.ale.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Version;
import dev.ale.core.AleException;
import dev.ale.runs.RunStore;
import dev.ale.runs.export.Atif;
import dev.ale.runs.export.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale export}: a run's episodes as a chat dataset with rewards and advantages, or as Harbor's ATIF trajectories. */
@Command(name = "export",
        description = {"Write a run's episodes as training data: one JSON line per episode with OpenAI-style messages,",
                "the reward, the group-relative advantage (GRPO), and per step the reward, discounted return and advantage.",
                "--format atif writes Harbor's trajectory format instead: OUT/EPISODE/trajectory.json per episode (ATIF v1.4)."},
        footer = {"", "Example: ale export runs/20261123-203530-0aa3 --out dataset.jsonl",
                "         ale export runs/20261123-203530-0aa3 --format atif --out trajectories/"})
final class ExportCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory written by ale run or ale train.")
    private Path run;

    @Option(names = "--out", paramLabel = "PATH", description = "Where to write: a file for jsonl (default RUN_DIR/dataset.jsonl), "
            + "a directory for atif (default RUN_DIR/atif).")
    private Optional<Path> out;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl",
            description = "jsonl (a chat dataset, the default) or atif (Harbor's trajectory.json per episode).")
    private String format;

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "0.95", description = "Discount of the per-step returns. Default: 0.95.")
    private double gamma;

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (!(gamma > 0 && gamma <= 1)) throw new AleException(AleException.Fault.INPUT, "--gamma must lie in (0, 1], was " + gamma);
        if (!format.equals("jsonl") && !format.equals("atif")) {
            throw new AleException(AleException.Fault.INPUT, "--format must be jsonl or atif, was " + format);
        }
        List<ObjectNode> rows;
        try (RunStore store = RunStore.reopen(run)) {
            if (format.equals("atif")) {
                List<Atif.Episode> trajectories = Atif.of(store.lines(), Version.aleVersion(), gamma);
                Path dir = out.orElse(run.resolve("atif"));
                cli.out().println(Atif.write(dir, trajectories) + " episodes -> " + dir + "/EPISODE/" + Atif.FILE);
                return Failures.OK;
            }
            rows = Dataset.of(store.lines(), gamma);
        }
        Path file = out.orElse(run.resolve(Dataset.FILE));
        Dataset.write(file, rows);
        cli.out().println(rows.size() + " episodes -> " + file);
        return Failures.OK;
    }
}
