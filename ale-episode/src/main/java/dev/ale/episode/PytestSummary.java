package dev.ale.episode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "short test summary info" section of pytest's output, read the way Terminal-Bench's pytest
 * parser reads it: one line per test ({@code PASSED tests/test_x.py::test_y}, {@code FAILED … - why}),
 * passed, skipped and expected failures counting as passed, failures, errors and unexpected passes
 * as failed. A Terminal-Bench task is solved when every test listed there passed, whatever the
 * script's exit status; a task whose script ends with {@code echo done} after failing tests is not.
 *
 * @param tests every test line of the section, in order
 */
record PytestSummary(List<Result> tests) {

    private static final Pattern HEADER = Pattern.compile("^=+ short test summary info =+$");
    private static final Pattern LINE = Pattern.compile("^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+)$");

    /** One test's outcome as pytest listed it. */
    record Result(String status, String test) {

        boolean passed() {
            return switch (status) {
                case "PASSED", "SKIPPED", "XFAIL" -> true;
                default -> false;
            };
        }
    }

    PytestSummary {
        tests = List.copyOf(tests);
    }

    /**
     * The last summary section in {@code output} (a script may run pytest more than once; its last
     * run decides); empty when pytest printed none, which it does when every test passed without
     * {@code -rA}, or when it never ran.
     */
    static Optional<PytestSummary> parse(String output) {
        List<String> lines = output.lines().map(String::stripTrailing).toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) if (HEADER.matcher(lines.get(i)).matches()) header = i;
        if (header < 0) return Optional.empty();
        List<Result> results = new ArrayList<>();
        for (int i = header + 1; i < lines.size() && !lines.get(i).startsWith("="); i++) {
            Matcher m = LINE.matcher(lines.get(i));
            if (m.matches()) results.add(new Result(m.group(1), testName(m.group(2))));
        }
        return Optional.of(new PytestSummary(results));
    }

    /** Solved: at least one test, and every one passed. */
    boolean solved() {
        return !tests.isEmpty() && tests.stream().allMatch(Result::passed);
    }

    /** The names of the tests that did not pass, for the episode's log. */
    List<String> failed() {
        return tests.stream().filter(r -> !r.passed()).map(r -> r.status() + " " + r.test()).toList();
    }

    /** {@code tests/test_x.py::test_y - AssertionError…} → {@code tests/test_x.py::test_y}; {@code [1] x.py:3: reason} stays whole. */
    private static String testName(String rest) {
        int dash = rest.indexOf(" - ");
        return (dash > 0 && rest.substring(0, dash).contains("::") ? rest.substring(0, dash) : rest).strip();
    }
}
