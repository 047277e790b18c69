package dev.ale.cli;

import dev.ale.agent.model.ModelConfig;
import dev.ale.agent.model.OpenAiClient;
import dev.ale.agent.policy.ModelPolicy;
import dev.ale.cli.audit.AuditExportCommand;
import dev.ale.cli.audit.AuditFile;
import dev.ale.cli.audit.AuditGroups;
import dev.ale.cli.audit.AuditQueryCommand;
import dev.ale.cli.audit.AuditVerifyCommand;
import dev.ale.cli.audit.EventsTailCommand;
import dev.ale.cli.bench.BenchGatewayCommand;
import dev.ale.cli.bench.BenchSandboxCommand;
import dev.ale.cli.demo.DemoCommand;
import dev.ale.gateway.HostResolver;
import dev.ale.runs.PolicySource;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine;

/**
 * The {@code ale} command. Every command object is made and wired here, so this file is the
 * whole map of the CLI: which command exists, what it is given, and how failures become exit codes.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs {@code ale args} and returns its exit status: 0 ok, 2 bad usage or input, 3 environment or runtime. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Cli cli = new Cli(in, out, err);

        CommandLine sandbox = new CommandLine(new GroupCommand.Sandbox())
                .addSubcommand(new SandboxRunCommand(cli))
                .addSubcommand(new SandboxCreateCommand(cli))
                .addSubcommand(new SandboxExecCommand(cli))
                .addSubcommand(new SandboxShellCommand(cli))
                .addSubcommand(new SandboxListCommand(cli))
                .addSubcommand(new SandboxRemoveCommand(cli))
                .addSubcommand(new SandboxGcCommand(cli));
        // `ale sandbox run ls -la`: everything after the first word of the command belongs to it.
        sandbox.getSubcommands().get("run").setStopAtPositional(true);

        CommandLine image = new CommandLine(new GroupCommand.Image())
                .addSubcommand(new ImageCommands.Pull(cli))
                .addSubcommand(new ImageCommands.Build(cli))
                .addSubcommand(new ImageCommands.Import(cli))
                .addSubcommand(new ImageCommands.List(cli))
                .addSubcommand(new ImageCommands.Remove(cli))
                .addSubcommand(new ImageCommands.Prune(cli));
        CommandLine passport = new CommandLine(new GroupCommand.Passport())
                .addSubcommand(new PassportCheckCommand(cli));

        CommandLine bench = new CommandLine(new GroupCommand.Bench())
                .addSubcommand(new BenchSandboxCommand(cli::openBackend, out))
                .addSubcommand(new BenchGatewayCommand(out))
                .addSubcommand(new dev.ale.cli.bench.BenchMonitorCommand(cli::openGuardedBackend, out))
                .addSubcommand(new dev.ale.cli.bench.BenchRolloutCommand(cli::openGuardedBackend, out))
                .addSubcommand(new dev.ale.cli.bench.BenchGemCommand(cli::openGuardedBackend, out))
                .addSubcommand(new dev.ale.cli.bench.BenchClusterCommand(out));

        AuditFile auditFile = new AuditFile(cli::dataDir);
        CommandLine audit = new CommandLine(new AuditGroups.Audit())
                .addSubcommand(new AuditVerifyCommand(auditFile, out))
                .addSubcommand(new AuditQueryCommand(auditFile, out))
                .addSubcommand(new AuditExportCommand(auditFile, out));
        CommandLine events = new CommandLine(new AuditGroups.Events())
                .addSubcommand(new EventsTailCommand(auditFile, out));

        CommandLine ale = new CommandLine(new AleCommand(cli))
                .addSubcommand(new RunCommand(cli, Main::openAiPolicies))
                .addSubcommand(new TrainCommand(cli))
                .addSubcommand(new ServeCommand(cli))
                .addSubcommand(new ExportCommand(cli))
                .addSubcommand(new ReportCommand(cli))
                .addSubcommand(sandbox)
                .addSubcommand(passport)
                .addSubcommand(image)
                .addSubcommand(new CommandLine(new DemoCommand(cli::openBackend, () -> cli.openGuardedBackend(HostResolver.system()), out,
                        cli.terminal())).addSubcommand(new DemoRomeCommand(cli)))
                .addSubcommand(bench)
                .addSubcommand(audit)
                .addSubcommand(events);

        ale.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new CommandList());
        ale.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        ale.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        ale.setParameterExceptionHandler((e, ignored) -> Failures.usage(e, err));
        ale.setExecutionExceptionHandler((e, ignored, parsed) -> Failures.report(e, err));
        return ale.execute(args);
    }

    /** The openai policy: one client shared by every episode of the run (it is safe for concurrent calls). */
    private static PolicySource openAiPolicies(String baseUrl, String model, RunCommand.ModelOptions options) {
        ModelConfig config = ModelConfig.of(baseUrl, model).withStream(options.stream());
        if (options.apiKeyEnv().isPresent()) config = config.withApiKeyVariable(options.apiKeyEnv().get());
        if (options.timeout().isPresent()) config = config.withTimeouts(options.timeout().get(), ModelConfig.DEFAULT_CONNECT_TIMEOUT);
        if (options.retries().isPresent()) {
            config = config.withRetries(options.retries().get(), ModelConfig.DEFAULT_INITIAL_BACKOFF, ModelConfig.DEFAULT_MAX_BACKOFF);
        }
        OpenAiClient client = new OpenAiClient(config);
        String name = "openai:" + model;
        return RunCommand.source(name, (task, sample) -> new ModelPolicy(client, name));
    }
}
