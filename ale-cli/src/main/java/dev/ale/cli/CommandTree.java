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
import dev.ale.cli.audit.PassportHistoryCommand;
import dev.ale.cli.bench.BenchCliCommand;
import dev.ale.cli.bench.BenchClusterCommand;
import dev.ale.cli.bench.BenchImageCommand;
import dev.ale.cli.bench.BenchGatewayCommand;
import dev.ale.cli.bench.BenchGemCommand;
import dev.ale.cli.bench.BenchMonitorCommand;
import dev.ale.cli.bench.BenchRolloutCommand;
import dev.ale.cli.bench.BenchScaleCommand;
import dev.ale.cli.bench.BenchSandboxCommand;
import dev.ale.cli.demo.DemoCommand;
import dev.ale.gateway.HostResolver;
import dev.ale.runs.PolicySource;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine;

/**
 * The {@code ale} command tree. Every command object is made and wired here, so this file is the
 * whole map of the CLI: which command exists, what it is given, and how failures become exit codes.
 */
final class CommandTree {

    private CommandTree() {
    }

    /**
     * {@code ale sandbox run} as a resident ALE runs it for a thin client: only that command exists, and it
     * runs on the daemon's backend with the client's streams.
     */
    static int runResident(String[] args, InputStream in, PrintStream out, PrintStream err, Cli.Resident resident) {
        Cli cli = new Cli(in, out, err, Optional.of(resident));
        CommandLine sandbox = new CommandLine(new GroupCommand.Sandbox()).addSubcommand(new SandboxRunCommand(cli));
        sandbox.getSubcommands().get("run").setStopAtPositional(true);
        CommandLine ale = new CommandLine(new AleCommand(cli)).addSubcommand(sandbox);
        return execute(ale, args, out, err);
    }

    /** Runs {@code ale args} in this process and returns its exit status (see {@link Main#run(String[], PrintStream, PrintStream)}). */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Cli cli = new Cli(in, out, err);
        Map<String, Supplier<CommandLine>> commands = commands(cli, out);
        CommandLine ale = new CommandLine(new AleCommand(cli));
        // Building a command reads its annotations by reflection: a third of a second for the whole
        // tree. Only the command named on the line is built; help and unknown names get them all.
        Optional<String> named = commandName(args).filter(commands::containsKey);
        if (named.isPresent()) ale.addSubcommand(commands.get(named.get()).get());
        else commands.values().forEach(command -> ale.addSubcommand(command.get()));

        ale.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new CommandList());
        return execute(ale, args, out, err);
    }

    private static int execute(CommandLine ale, String[] args, PrintStream out, PrintStream err) {
        ale.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        ale.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        ale.setParameterExceptionHandler((e, ignored) -> Failures.usage(e, err));
        ale.setExecutionExceptionHandler((e, ignored, parsed) -> Failures.report(e, err));
        return ale.execute(args);
    }

    /** The first word of {@code args} that is not an option of {@code ale} itself (or its value). */
    static Optional<String> commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--data-dir")) i++;
            else if (!arg.startsWith("-")) return Optional.of(arg);
        }
        return Optional.empty();
    }

    /** Every command of {@code ale}, in the order help lists them, each built only when asked for. */
    private static Map<String, Supplier<CommandLine>> commands(Cli cli, PrintStream out) {
        Map<String, Supplier<CommandLine>> commands = new LinkedHashMap<>();
        commands.put("run", () -> new CommandLine(new RunCommand(cli, CommandTree::openAiPolicies)));
        commands.put("train", () -> new CommandLine(new TrainCommand(cli)));
        commands.put("serve", () -> new CommandLine(new ServeCommand(cli)));
        commands.put("cluster", () -> new CommandLine(new GroupCommand.Cluster()).addSubcommand(new ClusterCertsCommand(cli)));
        commands.put("export", () -> new CommandLine(new ExportCommand(cli)));
        commands.put("report", () -> new CommandLine(new ReportCommand(cli)));
        commands.put("sandbox", () -> {
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
            return sandbox;
        });
        AuditFile auditFile = new AuditFile(cli::dataDir);
        commands.put("passport", () -> new CommandLine(new GroupCommand.Passport())
                .addSubcommand(new PassportCheckCommand(cli))
                .addSubcommand(new PassportSigningCommands.Keygen(cli))
                .addSubcommand(new PassportSigningCommands.Sign(cli))
                .addSubcommand(new PassportSigningCommands.Verify(cli))
                .addSubcommand(new PassportHistoryCommand(auditFile, out)));
        commands.put("image", () -> new CommandLine(new GroupCommand.Image())
                .addSubcommand(new ImageCommands.Pull(cli))
                .addSubcommand(new ImageCommands.Build(cli))
                .addSubcommand(new ImageCommands.Import(cli))
                .addSubcommand(new ImageCommands.List(cli))
                .addSubcommand(new ImageCommands.Remove(cli))
                .addSubcommand(new ImageCommands.Prune(cli)));
        commands.put("demo", () -> new CommandLine(new DemoCommand(cli::openBackend,
                () -> cli.openGuardedBackend(HostResolver.system()), out, cli.terminal()))
                .addSubcommand(new DemoRomeCommand(cli)));
        commands.put("bench", () -> new CommandLine(new GroupCommand.Bench())
                .addSubcommand(new BenchSandboxCommand(cli::openBackend, out))
                .addSubcommand(new BenchGatewayCommand(out))
                .addSubcommand(new BenchMonitorCommand(cli::openGuardedBackend, out))
                .addSubcommand(new BenchRolloutCommand(cli::openGuardedBackend, out))
                .addSubcommand(new BenchGemCommand(cli::openGuardedBackend, out))
                .addSubcommand(new BenchCliCommand(cli::dataDir, out))
                .addSubcommand(new BenchScaleCommand(cli::openGuardedBackend, out))
                .addSubcommand(new BenchImageCommand(cli::openBackend, cli::images, cli::dataDir, out))
                .addSubcommand(new BenchClusterCommand(out)));
        commands.put("audit", () -> new CommandLine(new AuditGroups.Audit())
                .addSubcommand(new AuditVerifyCommand(auditFile, out))
                .addSubcommand(new AuditQueryCommand(auditFile, out))
                .addSubcommand(new AuditExportCommand(auditFile, out)));
        commands.put("events", () -> new CommandLine(new AuditGroups.Events())
                .addSubcommand(new EventsTailCommand(auditFile, out)));
        commands.put("daemon", () -> new CommandLine(new DaemonCommands.Group())
                .addSubcommand(new DaemonCommands.Start(cli))
                .addSubcommand(new DaemonCommands.Stop(cli))
                .addSubcommand(new DaemonCommands.Status(cli)));
        commands.put("hold", () -> new CommandLine(new HoldCommands.Group())
                .addSubcommand(new HoldCommands.Ls(cli))
                .addSubcommand(new HoldCommands.Approve(cli))
                .addSubcommand(new HoldCommands.Deny(cli)));
        return commands;
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
