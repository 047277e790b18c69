package dev.ale.core.passport;

import dev.ale.core.event.SafetyEvent;
import java.util.List;
import java.util.Objects;

/**
 * The agent's security policy: who it is, what its sandbox may use and reach, which paths it
 * must not touch, and what each kind of misbehaviour triggers. The same passport guards an agent
 * in training and in deployment. (Never call it a policy: Policy is the RL word.)
 *
 * <p>{@code protectedPaths} are absolute paths inside the sandbox (verifier files, answers,
 * credentials) the agent must neither read nor change.
 */
public record Passport(
        String id,
        Resources resources,
        FilesystemRules filesystem,
        Devices devices,
        EgressRules egress,
        List<String> protectedPaths,
        DetectorSettings detectors,
        ModelAccess model,
        HoldRules hold) {

    public Passport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(filesystem, "filesystem");
        Objects.requireNonNull(devices, "devices");
        Objects.requireNonNull(egress, "egress");
        protectedPaths = List.copyOf(protectedPaths);
        Objects.requireNonNull(detectors, "detectors");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(hold, "hold");
    }

    /** A passport with the default hold rules. */
    public Passport(String id, Resources resources, FilesystemRules filesystem, Devices devices, EgressRules egress,
                    List<String> protectedPaths, DetectorSettings detectors, ModelAccess model) {
        this(id, resources, filesystem, devices, egress, protectedPaths, detectors, model, HoldRules.defaults());
    }

    /** A passport with the default model access. */
    public Passport(String id, Resources resources, FilesystemRules filesystem, Devices devices, EgressRules egress,
                    List<String> protectedPaths, DetectorSettings detectors) {
        this(id, resources, filesystem, devices, egress, protectedPaths, detectors, ModelAccess.defaults());
    }

    /** A passport with the first part's sections and defaults for the rest. */
    public Passport(String id, Resources resources, FilesystemRules filesystem, Devices devices) {
        this(id, resources, filesystem, devices, EgressRules.none(), List.of(), DetectorSettings.defaults());
    }

    /** Its identity: {@code sha256:} and the SHA-256 of its canonical form ({@link PassportFingerprint}). */
    public String fingerprint() {
        return PassportFingerprint.of(this);
    }

    /** The built-in passport used when none is given: finite limits, nothing extra granted, no egress. */
    public static Passport defaults() {
        return new Passport("default", Resources.defaults(), FilesystemRules.defaults(), Devices.none());
    }

    public Passport withResources(Resources newResources) {
        return new Passport(id, newResources, filesystem, devices, egress, protectedPaths, detectors, model, hold);
    }

    public Passport withFilesystem(FilesystemRules newFilesystem) {
        return new Passport(id, resources, newFilesystem, devices, egress, protectedPaths, detectors, model, hold);
    }

    public Passport withEgress(EgressRules newEgress) {
        return new Passport(id, resources, filesystem, devices, newEgress, protectedPaths, detectors, model, hold);
    }

    public Passport withProtectedPaths(List<String> newProtectedPaths) {
        return new Passport(id, resources, filesystem, devices, egress, newProtectedPaths, detectors, model, hold);
    }

    public Passport withModel(ModelAccess newModel) {
        return new Passport(id, resources, filesystem, devices, egress, protectedPaths, detectors, newModel, hold);
    }

    public Passport withDetectors(DetectorSettings newDetectors) {
        return new Passport(id, resources, filesystem, devices, egress, protectedPaths, newDetectors, model, hold);
    }

    public Passport withHold(HoldRules newHold) {
        return new Passport(id, resources, filesystem, devices, egress, protectedPaths, detectors, model, newHold);
    }

    /**
     * This passport for a run that cannot wait for a person (training): every category whose
     * action is {@code hold} takes the hold rules' fallback instead.
     */
    public Passport withoutHolds() {
        DetectorSettings settled = detectors;
        for (var entry : detectors.byCategory().entrySet()) {
            if (entry.getValue().action() == SafetyEvent.Action.HOLD) {
                settled = settled.with(entry.getKey(), new DetectorSetting(hold.fallback(), entry.getValue().penalty()));
            }
        }
        return withDetectors(settled);
    }
}
