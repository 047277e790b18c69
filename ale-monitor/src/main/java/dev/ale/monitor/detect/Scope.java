package dev.ale.monitor.detect;

import dev.ale.core.event.Category;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where the rules are looking: how deep in nested scripts and decoded payloads, whether the text runs
 * or is only data being written or decoded, where it came from, and which names change on every turn
 * of an enclosing loop ({@code for i in …}, {@code while read ip}, {@code xargs -I{}}).
 */
final class Scope {

    /** Deepest nesting of {@code sh -c}, {@code eval}, substitutions and decoded payloads that is inspected. */
    static final int MAX_DEPTH = 6;
    private static final int MAX_EVIDENCE = 400;

    private final Findings findings;
    private final int depth;
    private final boolean data;
    private final Map<String, String> origin;
    private final Set<String> loopVariables;
    private final Set<String> placeholders;

    private Scope(Findings findings, int depth, boolean data, Map<String, String> origin,
                  Set<String> loopVariables, Set<String> placeholders) {
        this.findings = findings;
        this.depth = depth;
        this.data = data;
        this.origin = origin;
        this.loopVariables = loopVariables;
        this.placeholders = placeholders;
    }

    static Scope root(Findings findings) {
        return new Scope(findings, 0, false, Map.of(), Set.of(), Set.of());
    }

    boolean canDescend() {
        return depth < MAX_DEPTH;
    }

    Scope nested() {
        return new Scope(findings, depth + 1, data, origin, loopVariables, placeholders);
    }

    /** Text that is decoded or written but not run here: persistence means nothing in it. */
    Scope asData() {
        return new Scope(findings, depth, true, origin, loopVariables, placeholders);
    }

    Scope decodedFrom(String encoding, String payload) {
        Map<String, String> o = new LinkedHashMap<>(origin);
        o.put("encoding", origin.containsKey("encoding") ? origin.get("encoding") + "+" + encoding : encoding);
        o.put("payload", clip(payload));
        return new Scope(findings, depth, data, Map.copyOf(o), loopVariables, placeholders);
    }

    Scope withLoopVariables(Set<String> names) {
        if (names.isEmpty()) return this;
        Set<String> all = new LinkedHashSet<>(loopVariables);
        all.addAll(names);
        return new Scope(findings, depth, data, origin, Set.copyOf(all), placeholders);
    }

    Scope withPlaceholders(Set<String> tokens) {
        if (tokens.isEmpty()) return this;
        Set<String> all = new LinkedHashSet<>(placeholders);
        all.addAll(tokens);
        return new Scope(findings, depth, data, origin, loopVariables, Set.copyOf(all));
    }

    boolean isData() {
        return data;
    }

    /** Whether the text holds something that changes per loop turn: {@code $i}, {@code ${ip}}, {@code {}}. */
    boolean varies(String text) {
        for (String p : placeholders) {
            if (!p.isEmpty() && text.contains(p)) return true;
        }
        for (String v : loopVariables) {
            int from = 0;
            while (true) {
                int at = text.indexOf('$', from);
                if (at < 0 || at + 1 >= text.length()) break;
                int start = text.charAt(at + 1) == '{' ? at + 2 : at + 1;
                if (text.startsWith(v, start)) {
                    int end = start + v.length();
                    boolean whole = end >= text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
                    if (whole) return true;
                }
                from = at + 1;
            }
        }
        return false;
    }

    void report(Rule rule, String match, Invocation inv) {
        report(rule, match, inv.shown());
    }

    void report(Rule rule, String match, String command) {
        if (data && rule.category() == Category.PERSISTENCE) return;
        Map<String, String> evidence = new LinkedHashMap<>(origin);
        evidence.put("match", clip(match));
        evidence.put("command", clip(command));
        String detail = rule.detail(clip(match));
        if (origin.containsKey("encoding")) detail += " (inside a " + origin.get("encoding") + "-encoded payload)";
        findings.add(rule, new Detection(rule.id(), detail, evidence));
    }

    static String clip(String text) {
        return text.length() <= MAX_EVIDENCE ? text : text.substring(0, MAX_EVIDENCE) + "…";
    }
}
