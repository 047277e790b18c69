package dev.ale.monitor.detect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a shell command line into simple commands and words, closely enough to a POSIX shell for
 * detection: quotes and escapes ({@code '…'}, {@code "…"}, {@code $'…'}, {@code \}), pipes and lists,
 * {@code ( )} groups, redirections, heredocs, and {@code $( )}, backticks and {@code <( )}, whose
 * contents are parsed as scripts of their own. Nothing is expanded: {@code $i} stays {@code $i}.
 *
 * <p>It is not a shell: it never rejects input. Unbalanced quotes and parentheses run to the end of
 * the text, stray operators are skipped, and nesting deeper than {@link #MAX_NESTING} is kept as text.
 * It never throws, on any string.
 */
final class ShellWords {

    /** Deepest {@code $( )} / backtick nesting that is parsed; deeper text stays a literal word. */
    static final int MAX_NESTING = 8;

    private static final Set<String> KEYWORDS = Set.of(
            "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until",
            "for", "select", "case", "esac", "function", "in");
    private static final Pattern ARITHMETIC_ASSIGNMENT =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\+\\+|--|[-+*/]?=(?!=))");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * {@code operator} is {@code >}, {@code >>}, {@code <}, {@code <<}, {@code <<<}, {@code >&}, {@code &>} …;
     * {@code fd} the descriptor written before it ({@code 2} in {@code 2>&1}), empty when none; a heredoc carries its body.
     */
    record Redirect(String fd, String operator, String target, Optional<String> heredoc) {

        boolean writes() {
            return switch (operator) {
                case ">", ">>", ">|", "&>", "&>>", "<>" -> true;
                case ">&" -> !target.isEmpty() && !target.chars().allMatch(Character::isDigit) && !target.equals("-");
                default -> false;
            };
        }

        boolean reads() {
            return operator.equals("<") || operator.equals("<>");
        }
    }

    /** One simple command: its words with quotes removed, and its redirections. */
    record Command(List<String> words, List<Redirect> redirects) {
    }

    /**
     * Commands joined by {@code |}. {@code background}: ended by {@code &}; {@code orphaned}: the last
     * thing in a {@code ( … )} subshell was backgrounded, so it is left behind when the subshell exits;
     * {@code fedFrom}: in {@code ( a; b ) | c}, the index of the first pipeline of the group whose output
     * {@code c} reads (the group's pipelines run up to this one), or -1.
     */
    record Pipeline(List<Command> commands, boolean background, boolean orphaned, int fedFrom) {
    }

    /**
     * A parsed command line. {@code loopVariables}: names bound by {@code for}/{@code select} and
     * C-style {@code for ((…))}; {@code detached}: the command left running by a trailing {@code &}.
     */
    record Script(List<Pipeline> pipelines, List<Script> substitutions, Set<String> loopVariables,
                  boolean hasLoop, Optional<Command> detached) {

        /** The simple commands of this script, in order, not counting substitutions. */
        List<Command> commands() {
            return pipelines.stream().flatMap(p -> p.commands().stream()).toList();
        }

        /** Words of every simple command, this script's first, then each substitution's, depth first. */
        List<List<String>> allWords() {
            List<List<String>> out = new ArrayList<>();
            commands().forEach(c -> out.add(c.words()));
            substitutions.forEach(s -> out.addAll(s.allWords()));
            return List.copyOf(out);
        }
    }

    private ShellWords() {
    }

    static Script parse(String text) {
        return parse(text, 0);
    }

    static Script parse(String text, int nesting) {
        return new Parser(text == null ? "" : text, nesting).run();
    }

    /** An argv as one simple command: no quoting, no operators, nothing to split. */
    static Script ofArgv(List<String> argv) {
        List<String> words = argv.stream().map(w -> w == null ? "" : w).toList();
        Command command = new Command(words, List.of());
        List<Pipeline> pipelines = words.isEmpty() ? List.of() : List.of(new Pipeline(List.of(command), false, false, -1));
        return new Script(pipelines, List.of(), Set.of(), false, Optional.empty());
    }

    /** Words of every simple command in the text, substitutions included. */
    static List<List<String>> split(String text) {
        return parse(text).allWords();
    }

    /**
     * Decodes the escapes of bash's {@code $'…'} and {@code echo -e}/{@code printf}: {@code \n},
     * {@code \x41}, {@code \101}, and the four- and eight-digit unicode forms.
     */
    static String decodeEscapes(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                sb.append(c);
                i++;
                continue;
            }
            i = appendEscape(text, i + 1, sb);
        }
        return sb.toString();
    }

    /** Appends the escape whose letter is at {@code i}; returns the index after it. */
    private static int appendEscape(String s, int i, StringBuilder sb) {
        char e = s.charAt(i);
        switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'e', 'E' -> sb.append('\u001b');
            case 'f' -> sb.append('\f');
            case 'v' -> sb.append('\u000b');
            case '\\', '\'', '"', '?' -> sb.append(e);
            case 'c' -> {
                if (i + 1 < s.length()) {
                    sb.append((char) (s.charAt(i + 1) & 0x1f));
                    return i + 2;
                }
                sb.append("\\c");
            }
            case 'x', 'u', 'U' -> {
                int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                int j = i + 1;
                while (j < s.length() && j - i - 1 < max && Character.digit(s.charAt(j), 16) >= 0) j++;
                if (j == i + 1) {
                    sb.append('\\').append(e);
                    return i + 1;
                }
                long value = Long.parseLong(s.substring(i + 1, j), 16);
                if (value <= Character.MAX_CODE_POINT) sb.appendCodePoint((int) value);
                return j;
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int j = i;
                    // bash reads up to three octal digits after \ (and \0 may lead three more in echo -e).
                    if (e == '0' && j + 1 < s.length() && isOctal(s.charAt(j + 1))) j++;
                    int start = j;
                    while (j < s.length() && j - start < 3 && isOctal(s.charAt(j))) j++;
                    sb.append((char) (Integer.parseInt(s.substring(start, j), 8) & 0xff));
                    return j;
                }
                sb.append('\\').append(e);
            }
        }
        return i + 1;
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private static final class CommandBuilder {
        final List<String> words;
        final List<RedirectBuilder> redirects;

        CommandBuilder(List<String> words, List<RedirectBuilder> redirects) {
            this.words = words;
            this.redirects = redirects;
        }

        Command build() {
            return new Command(List.copyOf(words), redirects.stream().map(RedirectBuilder::build).toList());
        }
    }

    private static final class RedirectBuilder {
        final String fd;
        final String operator;
        final String target;
        String heredoc;

        RedirectBuilder(String fd, String operator, String target) {
            this.fd = fd;
            this.operator = operator;
            this.target = target;
        }

        Redirect build() {
            boolean isHeredoc = operator.startsWith("<<") && !operator.equals("<<<");
            return new Redirect(fd, operator, target, isHeredoc ? Optional.of(heredoc == null ? "" : heredoc) : Optional.empty());
        }
    }

    private static final class PipelineBuilder {
        final List<CommandBuilder> commands = new ArrayList<>();
        boolean background;
        boolean orphaned;
        int fedFrom = -1;

        Pipeline build() {
            return new Pipeline(commands.stream().map(CommandBuilder::build).toList(), background, orphaned, fedFrom);
        }
    }

    /** A {@code ( … )} subshell being read; remembers where it starts and a pipeline backgrounded as its last act. */
    private static final class Group {
        final int start;
        PipelineBuilder lastBackground;

        Group(int start) {
            this.start = start;
        }
    }

    private static final class Parser {
        private final String s;
        private final int n;
        private final int nesting;
        private int pos;

        private final List<PipelineBuilder> pipelines = new ArrayList<>();
        private final List<Script> substitutions = new ArrayList<>();
        private final Set<String> loopVariables = new LinkedHashSet<>();
        private boolean hasLoop;

        private List<String> words = new ArrayList<>();
        private List<RedirectBuilder> redirects = new ArrayList<>();
        private PipelineBuilder pipeline = new PipelineBuilder();
        private PipelineBuilder lastEnded;
        /** Index of the first pipeline of the group just closed by ")", until anything else is read. */
        private int closedGroupStart = -1;
        private final Deque<Group> groups = new ArrayDeque<>();
        private final List<RedirectBuilder> pendingHeredocs = new ArrayList<>();

        private boolean afterPipe;
        private boolean wordHadContent;
        private String pendingFd = "";
        private boolean trailingBackground;
        private CommandBuilder lastCommand;
        private CommandBuilder detached;
        private int caseDepth;
        private boolean expectPattern;

        Parser(String s, int nesting) {
            this.s = s;
            this.n = s.length();
            this.nesting = nesting;
        }

        Script run() {
            while (pos < n) {
                char c = s.charAt(pos);
                switch (c) {
                    case ' ', '\t', '\r', '\f', '\u000b' -> pos++;
                    case '\n' -> newline();
                    case '#' -> skipComment();
                    case ';' -> semicolon();
                    case '&' -> ampersand();
                    case '|' -> bar();
                    case '(' -> openParen();
                    case ')' -> closeParen();
                    case '<', '>' -> redirect();
                    default -> word();
                }
            }
            endPipeline();
            readHeredocBodies();
            List<Pipeline> built = pipelines.stream().map(PipelineBuilder::build).toList();
            Optional<Command> detachedCommand = trailingBackground && detached != null
                    ? Optional.of(detached.build()) : Optional.empty();
            return new Script(built, List.copyOf(substitutions), Set.copyOf(loopVariables), hasLoop, detachedCommand);
        }

        private boolean at(int i, char c) {
            return i < n && s.charAt(i) == c;
        }

        private void newline() {
            pos++;
            if (!afterPipe) closedGroupStart = -1;
            if (!afterPipe && !expectPattern) endPipeline();
            readHeredocBodies();
        }

        private void skipComment() {
            while (pos < n && s.charAt(pos) != '\n') pos++;
        }

        private void semicolon() {
            pos++;
            closedGroupStart = -1;
            boolean caseEnd = false;
            if (at(pos, ';')) {
                pos++;
                caseEnd = true;
                if (at(pos, '&')) pos++;
            } else if (at(pos, '&')) {
                pos++;
                caseEnd = true;
            }
            endPipeline();
            if (caseEnd && caseDepth > 0) expectPattern = true;
        }

        private void ampersand() {
            closedGroupStart = -1;
            if (at(pos + 1, '&')) {
                pos += 2;
                endPipeline();
                afterPipe = true;
                return;
            }
            if (at(pos + 1, '>')) {
                String op = at(pos + 2, '>') ? "&>>" : "&>";
                pos += op.length();
                addRedirect(op);
                return;
            }
            pos++;
            endCommand();
            PipelineBuilder target = pipeline.commands.isEmpty() ? lastEnded : pipeline;
            if (target != null) target.background = true;
            if (groups.isEmpty()) {
                trailingBackground = true;
                detached = lastCommand;
            } else {
                groups.peek().lastBackground = target;
            }
            endPipeline();
        }

        private void bar() {
            if (expectPattern) {
                pos++;
                return;
            }
            if (at(pos + 1, '|')) {
                pos += 2;
                endPipeline();
                afterPipe = true;
                return;
            }
            pos++;
            if (at(pos, '&')) pos++;
            endCommand();
            if (pipeline.commands.isEmpty() && closedGroupStart >= 0) pipeline.fedFrom = closedGroupStart;
            afterPipe = true;
        }

        private void openParen() {
            if (at(pos + 1, '(')) {
                // (( arithmetic )): not a command; in "for ((i=0; …))" it names the loop variable.
                int end = matchParen(pos);
                String inner = s.substring(Math.min(pos + 2, end), Math.max(Math.min(pos + 2, end), end - 2));
                if (!words.isEmpty() && words.getLast().equals("for")) {
                    hasLoop = true;
                    Matcher m = ARITHMETIC_ASSIGNMENT.matcher(inner);
                    while (m.find()) loopVariables.add(m.group(1));
                }
                pos = end;
                return;
            }
            if (!words.isEmpty() && !words.stream().allMatch(KEYWORDS::contains)) {
                int after = skipBlanks(pos + 1);
                if (at(after, ')')) {
                    // "name () { …; }": a function definition, not a subshell.
                    words.clear();
                    pos = after + 1;
                    return;
                }
            }
            if (words.stream().allMatch(KEYWORDS::contains)) words.clear();
            endPipeline();
            groups.push(new Group(pipelines.size()));
            pos++;
        }

        private void closeParen() {
            pos++;
            if (expectPattern) {
                // "pattern)" in a case statement: the words were a pattern, not a command.
                words.clear();
                redirects.clear();
                expectPattern = false;
                return;
            }
            endPipeline();
            if (groups.isEmpty()) return;
            Group g = groups.pop();
            if (g.lastBackground != null) g.lastBackground.orphaned = true;
            closedGroupStart = g.start < pipelines.size() ? g.start : -1;
        }

        private int skipBlanks(int i) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
            return i;
        }

        private void redirect() {
            char c = s.charAt(pos);
            if (at(pos + 1, '(')) {
                // <( … ) and >( … ): process substitution, a word whose contents run as a script.
                int end = matchParen(pos + 1);
                String inner = s.substring(pos + 2, Math.max(pos + 2, closedEnd(end)));
                substitute(inner);
                addWord(s.substring(pos, end));
                pos = end;
                return;
            }
            String op;
            if (c == '<') {
                if (s.startsWith("<<<", pos)) op = "<<<";
                else if (s.startsWith("<<-", pos)) op = "<<-";
                else if (s.startsWith("<<", pos)) op = "<<";
                else if (s.startsWith("<>", pos)) op = "<>";
                else if (s.startsWith("<&", pos)) op = "<&";
                else op = "<";
            } else {
                if (s.startsWith(">>", pos)) op = ">>";
                else if (s.startsWith(">&", pos)) op = ">&";
                else if (s.startsWith(">|", pos)) op = ">|";
                else op = ">";
            }
            pos += op.length();
            addRedirect(op);
        }

        private void addRedirect(String op) {
            pos = skipBlanks(pos);
            String target = pos < n && !isOperatorStart(s.charAt(pos)) ? readWord() : "";
            RedirectBuilder r = new RedirectBuilder(pendingFd, op, target);
            pendingFd = "";
            redirects.add(r);
            if (op.equals("<<") || op.equals("<<-")) pendingHeredocs.add(r);
            afterPipe = false;
        }

        private static boolean isBlankOrOperator(char c) {
            return c == ' ' || c == '\t' || c == '\r' || isOperatorStart(c);
        }

        private static boolean isOperatorStart(char c) {
            return c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
        }

        private void readHeredocBodies() {
            for (RedirectBuilder r : pendingHeredocs) {
                boolean stripTabs = r.operator.equals("<<-");
                StringBuilder body = new StringBuilder();
                while (pos < n) {
                    int lineEnd = s.indexOf('\n', pos);
                    if (lineEnd < 0) lineEnd = n;
                    String line = s.substring(pos, lineEnd);
                    pos = Math.min(n, lineEnd + 1);
                    if (stripTabs) line = line.replaceFirst("^\t+", "");
                    String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                    if (bare.equals(r.target)) break;
                    body.append(line).append('\n');
                }
                r.heredoc = body.toString();
            }
            pendingHeredocs.clear();
        }

        private void word() {
            int start = pos;
            String w = readWord();
            if (pos == start) {
                pos++; // not reachable with the operator set above; kept so the loop always advances
                return;
            }
            if (!wordHadContent) return; // only line continuations
            boolean bareDigits = !w.isEmpty() && w.length() <= 4 && w.chars().allMatch(Character::isDigit)
                    && s.substring(start, pos).equals(w);
            if (bareDigits && pos < n && (s.charAt(pos) == '<' || s.charAt(pos) == '>')) {
                pendingFd = w; // "2>&1", "3<>/dev/tcp/…": a file descriptor number, not a word
                return;
            }
            addWord(w);
        }

        private void addWord(String w) {
            afterPipe = false;
            closedGroupStart = -1;
            if (expectPattern) {
                if (w.equals("esac")) {
                    expectPattern = false;
                    caseDepth = Math.max(0, caseDepth - 1);
                }
                return;
            }
            if (words.isEmpty() && w.equals("esac") && caseDepth > 0) {
                caseDepth--;
                return;
            }
            if (w.equals("in") && words.size() >= 2 && words.getFirst().equals("case")) {
                words.clear();
                caseDepth++;
                expectPattern = true;
                return;
            }
            words.add(w);
        }

        private void endCommand() {
            while (!words.isEmpty() && KEYWORDS.contains(words.getFirst())) {
                String keyword = words.removeFirst();
                if (keyword.equals("while") || keyword.equals("until")) hasLoop = true;
                if (keyword.equals("for") || keyword.equals("select")) {
                    hasLoop = true;
                    if (!words.isEmpty() && IDENTIFIER.matcher(words.getFirst()).matches()) loopVariables.add(words.getFirst());
                    words.clear();
                }
                if (keyword.equals("function") && !words.isEmpty()) words.removeFirst();
                if (keyword.equals("case")) words.clear();
            }
            if (words.isEmpty() && redirects.isEmpty()) return;
            CommandBuilder command = new CommandBuilder(words, redirects);
            pipeline.commands.add(command);
            lastCommand = command;
            if (groups.isEmpty()) trailingBackground = false;
            else groups.peek().lastBackground = null;
            words = new ArrayList<>();
            redirects = new ArrayList<>();
        }

        private void endPipeline() {
            endCommand();
            if (!pipeline.commands.isEmpty()) {
                pipelines.add(pipeline);
                lastEnded = pipeline;
            }
            pipeline = new PipelineBuilder();
        }

        /** Reads one word from {@code pos}, removing quotes and escapes; stops at a blank or an operator. */
        private String readWord() {
            StringBuilder sb = new StringBuilder();
            wordHadContent = false;
            while (pos < n) {
                char c = s.charAt(pos);
                if (!(c == '\\' && at(pos + 1, '\n'))) wordHadContent = wordHadContent || !isBlankOrOperator(c);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '&' || c == '|'
                        || c == '<' || c == '>' || c == ')') break;
                if (c == '(') {
                    boolean arrayOrGlob = !sb.isEmpty() && "=@?*+!".indexOf(sb.charAt(sb.length() - 1)) >= 0;
                    if (!arrayOrGlob) break;
                    int end = matchParen(pos);
                    sb.append(s, pos, end);
                    pos = end;
                    continue;
                }
                switch (c) {
                    case '\\' -> {
                        if (pos + 1 < n && s.charAt(pos + 1) != '\n') sb.append(s.charAt(pos + 1));
                        pos += 2;
                    }
                    case '\'' -> {
                        int end = s.indexOf('\'', pos + 1);
                        if (end < 0) end = n;
                        sb.append(s, pos + 1, end);
                        pos = Math.min(n, end + 1);
                    }
                    case '"' -> {
                        pos++;
                        readDoubleQuoted(sb);
                    }
                    case '`' -> readBacktick(sb);
                    case '$' -> readDollar(sb);
                    default -> {
                        sb.append(c);
                        pos++;
                    }
                }
            }
            pos = Math.min(pos, n);
            return sb.toString();
        }

        /** From just after an opening {@code "} to just after its closing one. */
        private void readDoubleQuoted(StringBuilder sb) {
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return;
                }
                if (c == '\\' && pos + 1 < n) {
                    char d = s.charAt(pos + 1);
                    if (d == '\n') {
                        pos += 2;
                    } else if (d == '$' || d == '`' || d == '"' || d == '\\') {
                        sb.append(d);
                        pos += 2;
                    } else {
                        sb.append(c);
                        pos++;
                    }
                } else if (c == '$') {
                    readDollar(sb);
                } else if (c == '`') {
                    readBacktick(sb);
                } else {
                    sb.append(c);
                    pos++;
                }
            }
        }

        private void readBacktick(StringBuilder sb) {
            int i = pos + 1;
            StringBuilder inner = new StringBuilder();
            while (i < n && s.charAt(i) != '`') {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < n && "\\`$".indexOf(s.charAt(i + 1)) >= 0) {
                    inner.append(s.charAt(i + 1));
                    i += 2;
                } else {
                    inner.append(c);
                    i++;
                }
            }
            substitute(inner.toString());
            sb.append('`').append(inner).append('`');
            pos = Math.min(n, i + 1);
        }

        private void readDollar(StringBuilder sb) {
            if (pos + 1 >= n) {
                sb.append('$');
                pos++;
                return;
            }
            char d = s.charAt(pos + 1);
            if (d == '(') {
                int end = matchParen(pos + 1);
                if (!at(pos + 2, '(')) substitute(s.substring(pos + 2, Math.max(pos + 2, closedEnd(end))));
                sb.append(s, pos, end);
                pos = end;
            } else if (d == '{') {
                int end = matchBrace(pos + 1);
                sb.append(s, pos, end);
                pos = end;
            } else if (d == '\'') {
                pos += 2;
                readAnsiC(sb);
            } else if (d == '"') {
                pos += 2;
                readDoubleQuoted(sb);
            } else {
                sb.append('$');
                pos++;
            }
        }

        /** From just after {@code $'} to just after the closing quote, decoding escapes. */
        private void readAnsiC(StringBuilder sb) {
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\'') {
                    pos++;
                    return;
                }
                if (c == '\\' && pos + 1 < n) {
                    pos = appendEscape(s, pos + 1, sb);
                } else {
                    sb.append(c);
                    pos++;
                }
            }
        }

        /** The index just after the {@code )} matching the {@code (} at {@code open}, or the end of the text. */
        private int matchParen(int open) {
            return match(open, '(', ')');
        }

        private int matchBrace(int open) {
            return match(open, '{', '}');
        }

        private int match(int open, char opener, char closer) {
            int depth = 0;
            int i = open;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == '\'' && opener == '(') {
                    int end = s.indexOf('\'', i + 1);
                    i = end < 0 ? n : end + 1;
                    continue;
                }
                if (c == '"' || c == '`') {
                    i = skipQuoted(i, c);
                    continue;
                }
                if (c == opener) depth++;
                else if (c == closer && --depth == 0) return i + 1;
                i++;
            }
            return n;
        }

        private int skipQuoted(int i, char quote) {
            i++;
            while (i < n && s.charAt(i) != quote) i += s.charAt(i) == '\\' ? 2 : 1;
            return Math.min(n, i + 1);
        }

        /** End of the inner text for a construct that {@link #match} closed at {@code end}: before the closer if there was one. */
        private int closedEnd(int end) {
            return end <= n && end > 0 && end - 1 < n && (s.charAt(end - 1) == ')' || s.charAt(end - 1) == '}') ? end - 1 : end;
        }

        private void substitute(String inner) {
            if (nesting + 1 <= MAX_NESTING) substitutions.add(new Parser(inner, nesting + 1).run());
        }
    }
}
