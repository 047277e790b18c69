package dev.ale.image.build;

import dev.ale.core.AleException;

/** A Dockerfile line ALE refuses or a build step that failed; the message starts with {@code file:line:}. */
public final class DockerfileException extends AleException {

    public DockerfileException(Fault fault, String message) {
        super(fault, message);
    }

    public DockerfileException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }

    static DockerfileException at(String file, int line, String reason) {
        return new DockerfileException(Fault.INPUT, file + ":" + line + ": " + reason);
    }
}
