package dev.ale.gateway.net;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock for every change to link slots, the {@code inet ale} table and the dummy link, held
 * across ALE processes ({@code /run/ale/net.lock}) and across threads of this one (a file lock
 * belongs to the whole JVM, so threads queue on a JVM lock first).
 */
final class MachineLock {

    private static final ReentrantLock IN_JVM = new ReentrantLock();

    private final Path file;

    MachineLock(Path file) {
        this.file = file;
    }

    <T> T holding(Supplier<T> action) {
        IN_JVM.lock();
        try {
            if (IN_JVM.getHoldCount() > 1) return action.get(); // already holds the file lock too
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    return action.get();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot lock " + file + ": " + e.getMessage(), e);
        } finally {
            IN_JVM.unlock();
        }
    }

    void holding(Runnable action) {
        holding(() -> {
            action.run();
            return null;
        });
    }
}
