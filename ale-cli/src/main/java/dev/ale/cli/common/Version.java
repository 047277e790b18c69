package dev.ale.cli.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the jar, and the Java that runs it. */
public final class Version implements IVersionProvider {

    private static final String POM_PROPERTIES = "/META-INF/maven/dev.ale/ale-cli/pom.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"ale " + aleVersion() + " (Java " + Runtime.version() + ")"};
    }

    public static String aleVersion() {
        try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) return "development build";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "development build");
        } catch (IOException e) {
            return "development build";
        }
    }
}
