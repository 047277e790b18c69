package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxInfo;
import java.util.regex.Pattern;

/** Finds a sandbox by the id a user typed, for the commands that work on an existing one. */
final class DetachedSandboxes {

    private static final Pattern ID = Pattern.compile("sb-[0-9a-f]{8}");

    private DetachedSandboxes() {
    }

    /**
     * The detached sandbox {@code id}. A sandbox that is not detached belongs to the ale process
     * that made it (an {@code ale sandbox run} still going) and is refused. The listing decides,
     * not {@code find}: a backend destroys on close every non-detached sandbox it has found.
     */
    static Sandbox find(SandboxBackend backend, String id) {
        checkId(id);
        SandboxInfo info = backend.list().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> noSuchSandbox(id));
        if (!info.detached()) {
            throw new AleException(AleException.Fault.INPUT, "sandbox " + id + " belongs to the ale process that made it"
                    + " and ends with it; only sandboxes made by 'ale sandbox create' can be used by id");
        }
        return backend.find(id).orElseThrow(() -> noSuchSandbox(id));
    }

    /** Refuses anything that is not a sandbox id before it reaches a path. */
    static void checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new AleException(AleException.Fault.INPUT, "'" + id + "' is not a sandbox id; ids look like sb-1a2b3c4d"
                    + " (see: ale sandbox ls)");
        }
    }

    static AleException noSuchSandbox(String id) {
        return new AleException(AleException.Fault.INPUT, "no sandbox " + id + " (see: ale sandbox ls)");
    }
}
