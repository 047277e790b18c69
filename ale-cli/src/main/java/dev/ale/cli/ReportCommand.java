package dev.ale.cli;

import dev.ale.report.HtmlReport;
import dev.ale.report.RunReport;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale report}: a run directory as one self-contained HTML page. */
@Command(name = "report",
        description = {"Write a run's report: one HTML page with charts, a timeline of safety events and the incidents.",
                "The page is self-contained (no scripts, nothing loaded from the network). It holds the run's figures,",
                "charts per iteration and arm, every SafetyEvent by episode and step, the incidents, per-task figures",
                "and the passports used. Prints the path of the page."},
        footer = {"", "Examples:",
                "  ale report runs/20260101-120000-ab12",
                "  ale report runs/20260101-120000-ab12 --out /tmp/run.html"})
final class ReportCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run directory written by `ale run` (OUT/RUN-ID).")
    private Path runDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the page. Default: RUN_DIR/report.html.")
    private Optional<Path> out;

    ReportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        RunReport report = RunReport.read(runDir);
        Path file = HtmlReport.write(report, out.orElse(runDir.resolve(HtmlReport.FILE)));
        for (String note : report.notes()) cli.err().println("ale: note: " + note);
        cli.out().println(file);
        return Failures.OK;
    }
}
