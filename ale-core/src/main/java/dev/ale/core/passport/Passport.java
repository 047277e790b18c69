package dev.ale.core.passport;

import java.util.Objects;

/**
 * The agent's security policy: who it is and what its sandbox may use. The same passport
 * guards an agent in training and in deployment. (Never call it a policy: Policy is the RL word.)
 */
public record Passport(String id, Resources resources, FilesystemRules filesystem, Devices devices) {

    public Passport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(filesystem, "filesystem");
        Objects.requireNonNull(devices, "devices");
    }

    /** The built-in passport used when none is given: finite limits, nothing extra granted. */
    public static Passport defaults() {
        return new Passport("default", Resources.defaults(), FilesystemRules.defaults(), Devices.none());
    }

    public Passport withResources(Resources newResources) {
        return new Passport(id, newResources, filesystem, devices);
    }

    public Passport withFilesystem(FilesystemRules newFilesystem) {
        return new Passport(id, resources, newFilesystem, devices);
    }
}
