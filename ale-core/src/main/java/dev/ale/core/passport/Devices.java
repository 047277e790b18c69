package dev.ale.core.passport;

/** Device grants. Without {@code gpu}, no GPU device node exists inside the sandbox. */
public record Devices(boolean gpu) {

    public static Devices none() {
        return new Devices(false);
    }
}
