package dev.ale.sandbox.local;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.ShellSession;
import java.nio.file.Path;

/**
 * An ALE process to be killed with SIGKILL by {@link CleanupTest}: makes a sandbox on the data
 * directory given as its argument, starts a long sleep in a shell session, prints the sandbox
 * id, and waits to die. With a second argument {@code frozen}, it freezes the sandbox first (a
 * sandbox held for an operator when ALE died).
 */
public final class KilledAleMain {

    private KilledAleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalSandboxBackend backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(Path.of(args[0])));
        Sandbox sandbox = backend.create(SandboxRequest.of(Passport.defaults().withResources(TestBackend.SMALL)));
        ShellSession session = sandbox.openSession();
        session.run("sleep 300 >/dev/null 2>&1 &");
        if (args.length > 1 && args[1].equals("frozen")) sandbox.freeze();
        System.out.println(sandbox.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
