package dev.ale.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code pip install ./clients/python} as docs/trainers.md says: into a fresh virtual environment, offline
 * ({@code --no-index --no-build-isolation}, the interpreter's own setuptools and wheel building it), the
 * installed package imports from the environment, not from the source tree, and declares no dependency.
 */
@Timeout(300)
class PythonClientInstallTest {

    @Test
    void theClientInstallsWithPipIntoAVenvAndNeedsNoDependency(@TempDir Path tmp) throws Exception {
        Optional<String> python = builder();
        assumeTrue(python.isPresent(), "no python3 here has pip, setuptools, wheel and venv: an offline pip install cannot be tried");
        Path source = tmp.resolve("src");
        copy(repoRoot().resolve("clients/python"), source);
        Path venv = tmp.resolve("venv");
        run(tmp, python.get(), "-m", "venv", "--system-site-packages", venv.toString());
        String pip = run(tmp, venv.resolve("bin/python").toString(), "-m", "pip", "install", "--no-index", "--no-build-isolation", source.toString());
        assertThat(pip).contains("Successfully installed ale-client-");

        // from a directory that holds no ale_client, so that only the installed package can be found
        String shown = run(tmp, venv.resolve("bin/python").toString(), "-c", """
                import importlib.metadata as m, ale_client
                from ale_client import Client, Env, Sandbox, AsyncClient, AsyncEnv, AsyncSandbox, AleError
                print(ale_client.__file__)
                print("requires", m.distribution("ale-client").requires)
                """);
        assertThat(shown.lines().toList()).hasSize(2);
        assertThat(Path.of(shown.lines().findFirst().orElseThrow())).startsWith(venv);
        assertThat(shown).contains("requires None");
    }

    /** A python3 that can build the package offline: pip, setuptools, wheel and venv importable. */
    private static Optional<String> builder() throws Exception {
        List<String> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(p)) candidates.add(p.toString());
        }
        candidates.add("/usr/bin/python3");
        for (String c : candidates) {
            if (!Files.isExecutable(Path.of(c))) continue;
            Process p = new ProcessBuilder(c, "-c", "import setuptools, wheel, venv, ensurepip, importlib.util; assert importlib.util.find_spec('pip')").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return Optional.of(c);
        }
        return Optional.empty();
    }

    private static String run(Path dir, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        b.environment().remove("PYTHONPATH");
        b.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted(Comparator.naturalOrder()).toList()) {
                if (p.toString().contains("__pycache__")) continue;
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    private static Path repoRoot() {
        String env = System.getenv("ALE_REPO");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) if (Files.isDirectory(p.resolve("clients/python"))) return p;
        throw new AssertionError("clients/python not found above " + here);
    }
}
