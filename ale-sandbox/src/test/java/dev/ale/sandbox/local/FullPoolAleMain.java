package dev.ale.sandbox.local;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An ALE process to be killed with SIGKILL by {@link WarmPoolTest}: opens a backend with a warm
 * pool of three on the data directory given as its argument, makes two sandboxes (the second starts
 * the filling), waits until the pool is full, prints the sandboxes' ids and then the blanks' ids on
 * one line, and waits to die.
 */
public final class FullPoolAleMain {

    private FullPoolAleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalSandboxBackend backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(Path.of(args[0]))
                .withWarmPool(3));
        Sandbox first = backend.create(SandboxRequest.of(Passport.defaults().withResources(TestBackend.SMALL)));
        Sandbox second = backend.create(SandboxRequest.of(Passport.defaults().withResources(TestBackend.SMALL)));
        if (!backend.awaitWarm(Duration.ofMinutes(2))) throw new IllegalStateException("the warm pool did not fill in 2 minutes");
        System.out.println(first.id() + " " + second.id() + " " + String.join(" ", backend.warmPoolIds()));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
