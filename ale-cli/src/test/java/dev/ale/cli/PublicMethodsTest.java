package dev.ale.cli;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No public method of ALE's production code that nothing calls, in production or in a test: an
 * API nobody uses is an API nobody checks. Ports' methods and their overrides, record accessors,
 * enum helpers, entry points and picocli's annotated members do not count.
 */
class PublicMethodsTest {

    private static final Set<String> CALLED_BY_FRAMEWORKS = Set.of("main", "values", "valueOf");

    @Test
    void everyPublicMethodIsCalledFromSomewhere() throws IOException {
        // every module's classes and test classes, as the reactor build left them beside this one
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of("..").toAbsolutePath().normalize())) {
            for (Path m : modules.filter(d -> d.getFileName().toString().startsWith("ale-")).sorted().toList()) {
                if (!Files.isDirectory(m.resolve("src/main/java"))) continue;
                assertThat(m.resolve("target/classes")).as("built classes of " + m.getFileName()).isDirectory();
                dirs.add(m.resolve("target/classes"));
                if (Files.isDirectory(m.resolve("src/test/java"))) {
                    assertThat(m.resolve("target/test-classes")).as("built test classes of " + m.getFileName()).isDirectory();
                    dirs.add(m.resolve("target/test-classes"));
                }
            }
        }
        JavaClasses all = new ClassFileImporter().importPaths(dirs);
        List<String> unused = new ArrayList<>();
        for (JavaClass c : all) {
            if (isTest(c)) continue;
            boolean record = c.getRawSuperclass().map(sup -> sup.getName().equals("java.lang.Record")).orElse(false);
            for (JavaMethod m : c.getMethods()) {
                if (!m.getModifiers().contains(JavaModifier.PUBLIC) || m.getName().contains("$")) continue;
                if (CALLED_BY_FRAMEWORKS.contains(m.getName())) continue;
                if (record && m.getRawParameterTypes().isEmpty() && c.tryGetField(m.getName()).isPresent()) continue;
                if (m.getAnnotations().stream().anyMatch(a -> a.getRawType().getPackageName().startsWith("picocli"))) continue;
                // a port's method is used through its implementations, which override it
                if (m.getModifiers().contains(JavaModifier.ABSTRACT) || overrides(c, m)) continue;
                if (!m.getAccessesToSelf().isEmpty()) continue;
                unused.add(m.getFullName());
            }
        }
        assertThat(unused).isEmpty();
    }

    private static boolean isTest(JavaClass c) {
        return c.getSource().map(s -> s.getUri().toString()).orElse("").contains("/test-classes/");
    }

    private static boolean overrides(JavaClass c, JavaMethod m) {
        String[] params = m.getRawParameterTypes().stream().map(JavaClass::getName).toArray(String[]::new);
        return c.getAllRawSuperclasses().stream().anyMatch(s -> s.tryGetMethod(m.getName(), params).isPresent())
                || c.getAllRawInterfaces().stream().anyMatch(s -> s.tryGetMethod(m.getName(), params).isPresent());
    }
}
