package dev.ale.agent.tool;

import dev.ale.core.model.ToolSpec;
import dev.ale.core.tool.ToolContext;
import dev.ale.core.tool.ToolResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code read_file}: a text file's lines, numbered, optionally a window of them. */
public final class ReadFileTool extends StandardTool {

    static final int DEFAULT_LINES = 400;

    private static final ToolSpec SPEC = new ToolSpec("read_file",
            "Read a text file. Lines come numbered; use offset (first line, from 1) and limit to page through long files.",
            Schemas.object()
                    .required("path", "string", "file path, absolute or relative to the working directory")
                    .optional("offset", "integer", "first line to show, counting from 1 (default 1)")
                    .optional("limit", "integer", "how many lines to show (default 400)")
                    .build());

    public ReadFileTool() {
        super(SPEC);
    }

    @Override
    ToolResult call(Args args, ToolContext context) {
        String path = Paths.resolve(context.workdir(), args.string("path"));
        int offset = args.optionalInt("offset", 1, Integer.MAX_VALUE).orElse(1);
        int limit = args.optionalInt("limit", 1, 10_000).orElse(DEFAULT_LINES);
        byte[] bytes = context.files().read(path);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new ToolResult.Failure("read_file: " + path + " is not UTF-8 text (" + bytes.length
                    + " bytes); inspect it with shell tools such as `od -c` or `file`");
        }
        List<String> lines = text.lines().toList();
        if (lines.isEmpty()) return new ToolResult.Observation(path + " is empty\n");
        if (offset > lines.size()) {
            return new ToolResult.Failure("read_file: offset " + offset + " is past the end of " + path + " (" + lines.size() + " lines)");
        }
        int end = (int) Math.min(lines.size(), (long) offset - 1 + limit);
        StringBuilder b = new StringBuilder();
        for (int i = offset - 1; i < end; i++) b.append(String.format("%6d\t", i + 1)).append(lines.get(i)).append('\n');
        if (end < lines.size()) b.append("[lines ").append(end + 1).append('-').append(lines.size()).append(" not shown; use offset]\n");
        return new ToolResult.Observation(b.toString());
    }
}
