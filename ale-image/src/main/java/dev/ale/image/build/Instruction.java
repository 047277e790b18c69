package dev.ale.image.build;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One instruction as written: its file and first line, the keyword (upper case), the raw lines
 * (continuations included, for printing), its {@code --flags}, the rest of the logical line with
 * continuations joined, and that rest as a JSON array when it is one (exec form).
 */
public record Instruction(String file, int line, String keyword, List<String> lines, Map<String, String> flags, String args,
                          Optional<List<String>> json) {

    public Instruction {
        lines = List.copyOf(lines);
        flags = Map.copyOf(flags);
        json = json.map(List::copyOf);
    }

    /** {@code file:line}, for messages. */
    public String where() {
        return file + ":" + line;
    }

    /** An error at this instruction. */
    DockerfileException fail(String reason) {
        return DockerfileException.at(file, line, keyword + ": " + reason);
    }

    Optional<String> flag(String name) {
        return Optional.ofNullable(flags.get(name));
    }
}
