package dev.ale.tasks;

import dev.ale.core.yaml.YamlField;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks that a Terminal-Bench task's Dockerfile asks for no image of its own. ALE runs such tasks
 * on the host root, so a Dockerfile is accepted only when it builds nothing: FROM, WORKDIR, ENV
 * and LABEL lines and comments. Their values are not used.
 */
final class Dockerfiles {

    static final Set<String> ALLOWED = Set.of("FROM", "WORKDIR", "ENV", "LABEL");

    private static final int MAX_BYTES = 1 << 20;

    private Dockerfiles() {
    }

    /** @param shown the task directory as the caller gave it, for messages */
    static void requireNoImage(Path dockerfile, Path shown) {
        List<String> lines = read(dockerfile, shown).lines().toList();
        char escape = escapeCharacter(lines);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int first = i;
            // An instruction goes on while its line ends with the escape character; comment lines within are dropped.
            while (i + 1 < lines.size() && endsWithEscape(lines.get(i), escape, i == first)) i++;
            String keyword = line.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (!ALLOWED.contains(keyword)) {
                throw new TaskException(shown + ": needs a container image: Dockerfile line " + (first + 1) + " `"
                        + YamlField.escape(line) + "`; ALE runs Terminal-Bench tasks on the host root only, so a"
                        + " Dockerfile may hold only FROM, WORKDIR, ENV and LABEL lines");
            }
        }
    }

    private static boolean endsWithEscape(String line, char escape, boolean instructionLine) {
        String stripped = line.strip();
        if (!instructionLine && stripped.startsWith("#")) return true;
        return stripped.endsWith(String.valueOf(escape));
    }

    /** The {@code # escape=`} parser directive, which Windows-minded Dockerfiles use; '\' otherwise. */
    private static char escapeCharacter(List<String> lines) {
        for (String line : lines) {
            String s = line.strip();
            if (!s.startsWith("#")) break;
            String directive = s.substring(1).strip().toLowerCase(Locale.ROOT);
            if (directive.startsWith("escape=") && directive.length() > "escape=".length()) {
                return s.charAt(s.length() - 1);
            }
        }
        return '\\';
    }

    private static String read(Path dockerfile, Path shown) {
        try (InputStream in = Files.newInputStream(dockerfile)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new TaskException(shown.resolve("Dockerfile") + ": is larger than 1MiB; check that this is the right file");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TaskException(shown.resolve("Dockerfile") + ": is not UTF-8 text; save it as UTF-8", e);
        } catch (IOException e) {
            throw new TaskException(shown.resolve("Dockerfile") + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
