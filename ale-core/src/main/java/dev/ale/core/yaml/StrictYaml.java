package dev.ale.core.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import dev.ale.core.AleException;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads hand-written YAML files strictly: UTF-8 only, bounded in size and depth, one document,
 * no key twice, no anchors or aliases. Each mistake becomes the source's exception with the
 * file, line and field it is at. The caller then checks the tree with {@link YamlMapping}.
 */
public final class StrictYaml {

    private final String noun;
    private final int maxBytes;
    private final int maxNesting;
    private final String nestingNeeded;
    private final YAMLFactory yaml;
    private final ObjectMapper mapper;

    /**
     * @param noun what the file is, for messages: "passport" gives "a passport is one"
     * @param maxBytes the largest file accepted; larger is the wrong file, not a bigger one
     * @param maxNesting the deepest nesting accepted, so a crafted file costs no stack or time
     * @param nestingNeeded how deep a real file goes, in words, for the message on a deeper one
     */
    public StrictYaml(String noun, int maxBytes, int maxNesting, String nestingNeeded) {
        this.noun = Objects.requireNonNull(noun, "noun");
        this.maxBytes = maxBytes;
        this.maxNesting = maxNesting;
        this.nestingNeeded = Objects.requireNonNull(nestingNeeded, "nestingNeeded");
        this.yaml = YAMLFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxNesting).build())
                .build();
        this.mapper = new ObjectMapper(yaml);
    }

    /**
     * The tree of {@code file}, which {@code source} names in messages. An empty file gives a
     * null, missing or blank text node; the caller says what an empty file lacks.
     */
    public JsonNode read(Path file, YamlSource source) {
        Objects.requireNonNull(file, "file");
        return parse(decode(bytes(file, source), source), source);
    }

    /** The tree of YAML text, as {@link #read}. */
    public JsonNode parse(String text, YamlSource source) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        // Every char is at least one UTF-8 byte, so the cheap test first spares encoding a huge string.
        if (text.length() > maxBytes || text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw tooLarge(source);
        }
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try {
            refuseAliases(body, source);
            try (JsonParser parser = yaml.createParser(body)) {
                JsonNode tree = mapper.readTree(parser);
                if (parser.nextToken() != null) {
                    throw source.error("holds more than one YAML document (---); a " + noun + " is one");
                }
                return tree;
            }
        } catch (StreamConstraintsException e) {
            throw source.error("nests deeper than " + maxNesting + " levels; a " + noun + " needs " + nestingNeeded, e);
        } catch (JsonProcessingException e) {
            throw source.errors().error(syntaxError(e, source.name()), e);
        } catch (IOException e) {
            // Reading from a String; kept only because the parser API declares it.
            throw source.error("cannot be read: " + e.getMessage(), e);
        }
    }

    private byte[] bytes(Path file, YamlSource source) {
        if (Files.isDirectory(file)) throw source.error("is a directory, not a " + noun + " file");
        try (InputStream in = Files.newInputStream(file)) {
            // Read one byte past the limit rather than trusting the size reported before reading.
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) throw tooLarge(source);
            return bytes;
        } catch (NoSuchFileException e) {
            throw source.error("no such file; check the path", e);
        } catch (AccessDeniedException e) {
            throw source.error("cannot be read: permission denied", e);
        } catch (FileSystemException e) {
            throw source.error("cannot be read: "
                    + Optional.ofNullable(e.getReason()).orElse(e.getClass().getSimpleName()), e);
        } catch (IOException e) {
            throw source.error("cannot be read: "
                    + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()), e);
        }
    }

    private static String decode(byte[] bytes, YamlSource source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw source.error("is not UTF-8 text; save it as UTF-8", e);
        }
    }

    private AleException tooLarge(YamlSource source) {
        return source.error("is larger than " + sizeText(maxBytes) + ", the limit for a " + noun
                + "; check that this is the right file");
    }

    /** As ByteSize writes sizes; kept here so that this package needs none of the passport's. */
    private static String sizeText(int bytes) {
        if (bytes % (1 << 20) == 0) return (bytes >> 20) + "MiB";
        if (bytes % (1 << 10) == 0) return (bytes >> 10) + "KiB";
        return bytes + "B";
    }

    /**
     * Jackson reads an alias ({@code *name}) as the plain string "name", so a file using anchors
     * would silently mean something else than it says; it is refused instead.
     */
    private void refuseAliases(String text, YamlSource source) throws IOException {
        try (YAMLParser parser = yaml.createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias()) {
                    JsonLocation at = parser.currentTokenLocation();
                    String field = fieldPath(parser.getParsingContext());
                    throw source.error((field.isEmpty() ? "" : field + ": ")
                            + "uses the alias *" + YamlField.escape(parser.getText()) + " (line " + at.getLineNr()
                            + "); anchors and aliases are not supported, write the value out");
                }
            }
        }
    }

    private static String syntaxError(JsonProcessingException e, String source) {
        String message = Optional.ofNullable(e.getOriginalMessage()).orElse("");
        if (message.startsWith("Duplicate field") && e.getProcessor() instanceof JsonParser parser) {
            return source + ": " + fieldPath(parser.getParsingContext()) + ": appears twice (line "
                    + e.getLocation().getLineNr() + "); keep one";
        }
        int line = -1;
        int column = -1;
        String problem = message;
        // SnakeYAML's own exception (Jackson's wrapper of it is deprecated) knows where the problem is;
        // Jackson's location is that of the last good token, often lines earlier.
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            Mark mark = marked.getProblemMark();
            line = mark.getLine() + 1;
            column = mark.getColumn() + 1;
            problem = Optional.ofNullable(marked.getProblem()).orElse(message);
        } else if (e.getLocation() != null) {
            line = e.getLocation().getLineNr();
            column = e.getLocation().getColumnNr();
        }
        String where = line > 0 ? "line " + line + (column > 0 ? ", column " + column : "") + ": " : "";
        String reason = YamlField.escape(problem.lines().findFirst().orElse("syntax error").strip());
        return source + ": " + where + "not valid YAML: " + reason;
    }

    /** The dotted path of the parser's position, as the rest of the messages write it. */
    private static String fieldPath(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) parts.addFirst("[" + c.getCurrentIndex() + "]");
            else if (c.getCurrentName() != null) parts.addFirst("." + YamlField.escape(c.getCurrentName()));
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }
}
