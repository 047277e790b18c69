package dev.ale.image.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Docker's word processing for the instructions it substitutes in (FROM, COPY, ADD, ENV, ARG,
 * LABEL, EXPOSE, USER, WORKDIR, STOPSIGNAL): {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}},
 * {@code ${VAR-word}}, {@code ${VAR:+word}}, {@code ${VAR+word}}; single quotes stop substitution,
 * quotes are removed, the escape character escapes the next one. RUN, CMD and ENTRYPOINT are left
 * to the shell, as Docker does.
 */
final class Words {

    private final Map<String, String> vars;
    private final char escape;
    private final Instruction where;

    Words(Map<String, String> vars, char escape, Instruction where) {
        this.vars = vars;
        this.escape = escape;
        this.where = where;
    }

    /** The text split into words at unquoted whitespace, each substituted and unquoted. */
    List<String> words(String text) {
        return process(text, true);
    }

    /** The whole text as one word (spaces kept), substituted and unquoted. */
    String word(String text) {
        List<String> w = process(text, false);
        return w.isEmpty() ? "" : w.getFirst();
    }

    /** Substitution only, for an element of a JSON array (no quote processing, as Docker does). */
    String plain(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == escape && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$') {
                i = variable(text, i, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private List<String> process(String text, boolean split) {
        List<String> result = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (split && Character.isWhitespace(c)) {
                if (inWord) result.add(cur.toString());
                cur.setLength(0);
                inWord = false;
                i++;
                continue;
            }
            inWord = true;
            if (c == escape) {
                if (i + 1 < text.length()) cur.append(text.charAt(i + 1));
                i += 2;
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) throw where.fail("unterminated single quote in " + text);
                cur.append(text, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < text.length()) {
                    char d = text.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    boolean escapes = i + 1 < text.length() && ("\"$".indexOf(text.charAt(i + 1)) >= 0 || text.charAt(i + 1) == escape);
                    if (d == escape && escapes) {
                        cur.append(text.charAt(i + 1));
                        i += 2;
                    } else if (d == '$') {
                        i = variable(text, i, cur);
                    } else {
                        cur.append(d);
                        i++;
                    }
                }
                if (!closed) throw where.fail("unterminated double quote in " + text);
            } else if (c == '$') {
                i = variable(text, i, cur);
            } else {
                cur.append(c);
                i++;
            }
        }
        if (inWord) result.add(cur.toString());
        return result;
    }

    /** Expands the variable at {@code text[i] == '$'} into {@code out}; returns the index after it. */
    private int variable(String text, int i, StringBuilder out) {
        if (i + 1 >= text.length()) {
            out.append('$');
            return i + 1;
        }
        char n = text.charAt(i + 1);
        if (n == '{') {
            int end = matchingBrace(text, i + 2);
            if (end < 0) throw where.fail("unterminated ${ in " + text);
            String body = text.substring(i + 2, end);
            out.append(braced(body, text));
            return end + 1;
        }
        if (Character.isLetter(n) || n == '_') {
            int j = i + 1;
            while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) j++;
            out.append(vars.getOrDefault(text.substring(i + 1, j), ""));
            return j;
        }
        out.append('$');
        return i + 1;
    }

    private static int matchingBrace(String text, int from) {
        int depth = 1;
        for (int k = from; k < text.length(); k++) {
            if (text.charAt(k) == '{') depth++;
            if (text.charAt(k) == '}' && --depth == 0) return k;
        }
        return -1;
    }

    private String braced(String body, String text) {
        int k = 0;
        while (k < body.length() && (Character.isLetterOrDigit(body.charAt(k)) || body.charAt(k) == '_')) k++;
        String name = body.substring(0, k);
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) throw where.fail("bad substitution ${" + body + "} in " + text);
        String rest = body.substring(k);
        String value = vars.get(name);
        if (rest.isEmpty()) return value == null ? "" : value;
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(1, Math.min(2, rest.length())) : rest.substring(0, 1);
        String arg = plain(rest.substring(colon ? 2 : 1));
        boolean set = value != null && (!colon || !value.isEmpty());
        return switch (op) {
            case "-" -> set ? value : arg;
            case "+" -> set ? arg : "";
            case "?" -> {
                if (!set) throw where.fail(name + ": " + (arg.isEmpty() ? "is not set" : arg));
                yield value;
            }
            default -> throw where.fail("unsupported substitution ${" + body + "} in " + text + " (supported: :- - :+ + :?)");
        };
    }
}
