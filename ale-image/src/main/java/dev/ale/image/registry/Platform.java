package dev.ale.image.registry;

import java.util.Locale;

/** An OS and CPU architecture in OCI's words ({@code linux/amd64}). */
public record Platform(String os, String architecture) {

    /** This machine's platform, as an image index names it. */
    public static Platform current() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return new Platform("linux", switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        });
    }

    @Override
    public String toString() {
        return os + "/" + architecture;
    }
}
