package dev.ale.core.sandbox;

import dev.ale.core.passport.Phase;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a sandbox's network namespace is connected to. A backend calls {@link #attach} after it
 * has made the namespace and closes the attachment before it deletes it. Without a gateway a
 * sandbox has only loopback ({@link #loopbackOnly()}).
 */
public interface SandboxNetwork {

    NetworkAttachment attach(NetworkTarget target);

    /**
     * Makes ahead what {@link #attach} would make for the namespace {@code netnsName} that does
     * not depend on the passport (a link, its rules), for a warm pool's blank; empty when nothing
     * can be made ahead. Until attached, nothing in the namespace is anyone's client.
     */
    default Optional<PreparedLink> prepare(String netnsName) {
        return Optional.empty();
    }

    /** Like {@link #attach(NetworkTarget)}, using what {@link #prepare} made, which then belongs to the attachment. */
    default NetworkAttachment attach(NetworkTarget target, Optional<PreparedLink> prepared) {
        prepared.ifPresent(PreparedLink::close);
        return attach(target);
    }

    /** What {@link #prepare} made; closing it (unless an attachment took it) undoes it. Idempotent. */
    interface PreparedLink extends AutoCloseable {

        @Override
        void close();
    }

    /**
     * Removes what attachments left behind for sandboxes whose network namespaces no longer
     * exist (after a crash). Returns what it could not remove.
     */
    List<String> collectGarbage();

    /** No way out at all: the namespace keeps only {@code lo}. */
    static SandboxNetwork loopbackOnly() {
        return LoopbackOnly.INSTANCE;
    }

    /** The sandbox a network is asked to connect, and the namespace it lives in. */
    record NetworkTarget(String sandboxId, String netnsName, dev.ale.core.passport.Passport passport, Phase phase) {
    }

    /** One sandbox's connection to the network; closing it undoes everything attach did. Idempotent. */
    interface NetworkAttachment extends AutoCloseable {

        /** Variables every process in the sandbox gets (the proxy's address). */
        Map<String, String> environment();

        /** The contents of the sandbox's {@code /etc/resolv.conf}; empty: leave the host's. */
        Optional<String> resolvConf();

        Phase phase();

        /** Switches the egress allowlist in force to that of {@code phase}. */
        void enterPhase(Phase phase);

        @Override
        void close();
    }

    enum LoopbackOnly implements SandboxNetwork {
        INSTANCE;

        @Override
        public NetworkAttachment attach(NetworkTarget target) {
            return new NetworkAttachment() {
                private volatile Phase phase = target.phase();

                @Override
                public Map<String, String> environment() {
                    return Map.of();
                }

                @Override
                public Optional<String> resolvConf() {
                    return Optional.empty();
                }

                @Override
                public Phase phase() {
                    return phase;
                }

                @Override
                public void enterPhase(Phase next) {
                    phase = next;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public List<String> collectGarbage() {
            return List.of();
        }
    }
}
