package dev.ale.image;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.registry.RegistryClient;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An ALE process to be killed with SIGKILL by {@link ImageWarmPoolTest}: opens the store and a
 * backend with a warm pool of two on the data directory given first, makes two sandboxes of the
 * image given second (the second starts the filling), waits until the pool holds its blanks, prints
 * the two sandboxes' ids on one line, and waits to die.
 */
public final class PooledImageAleMain {

    private PooledImageAleMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(args[0]);
        ImageStore store = new ImageStore(data, RegistryClient.Settings.defaults());
        LocalSandboxBackend backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store)
                .withWarmPool(2));
        Passport p = ImageWarmPoolTest.passport(args[1], ImageSandboxTest.SMALL);
        Sandbox first = backend.create(SandboxRequest.of(p));
        Sandbox second = backend.create(SandboxRequest.of(p));
        if (!backend.awaitWarm(Duration.ofMinutes(2))) throw new IllegalStateException("the warm pool did not fill in 2 minutes");
        System.out.println(first.id() + " " + second.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
