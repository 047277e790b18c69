package dev.ale.monitor.detect;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a pipeline stage writes to the next, where that can be known without running it: what echo and
 * printf print, what cat passes on, and what base64, xxd and rev decode. Everything else is unknown.
 */
final class Pipes {

    /** Text flowing down a pipe; {@code encoding} names the decodings it went through, if any. */
    record Piped(String text, Optional<String> encoding) {

        static Piped plain(String text) {
            return new Piped(text, Optional.empty());
        }

        Piped decoded(String text, String how) {
            return new Piped(text, Optional.of(encoding.map(e -> e + "+" + how).orElse(how)));
        }
    }

    private static final Pattern PRINTF_DIRECTIVE = Pattern.compile("%[-+ #0]*\\d*(?:\\.\\d+)?([a-zA-Z%])");

    private Pipes() {
    }

    static Optional<Piped> output(Invocation inv, Optional<Piped> input) {
        List<String> args = inv.args();
        return switch (inv.program()) {
            case "echo" -> Optional.of(Piped.plain(echo(args)));
            case "printf" -> Optional.of(Piped.plain(printf(args)));
            case "cat" -> args.stream().allMatch(a -> a.startsWith("-")) ? input : Optional.empty();
            case "base64", "base64url" -> decodes(inv) && operands(args).isEmpty()
                    ? input.flatMap(in -> Payloads.base64(in.text()).map(t -> in.decoded(t, "base64"))) : Optional.empty();
            case "openssl" -> !args.isEmpty() && (args.getFirst().equals("base64") || args.getFirst().equals("enc"))
                    && args.contains("-d") && (args.getFirst().equals("base64") || args.contains("-base64") || args.contains("-a"))
                    && !args.contains("-in")
                    ? input.flatMap(in -> Payloads.base64(in.text()).map(t -> in.decoded(t, "base64"))) : Optional.empty();
            case "xxd" -> (inv.hasShortFlag('r') || inv.hasOption("-revert")) && (inv.hasShortFlag('p') || inv.hasOption("-ps", "-plain", "-postscript"))
                    ? input.flatMap(in -> Payloads.hex(in.text()).map(t -> in.decoded(t, "hex"))) : Optional.empty();
            case "rev" -> operands(args).isEmpty() ? input.map(in -> in.decoded(reverseLines(in.text()), "rev")) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static boolean decodes(Invocation inv) {
        return inv.hasOption("-d", "--decode", "-D") || inv.hasShortFlag('d');
    }

    private static List<String> operands(List<String> args) {
        return args.stream().filter(a -> !a.startsWith("-") || a.equals("-")).filter(a -> !a.equals("-")).toList();
    }

    private static String echo(List<String> args) {
        int i = 0;
        boolean escapes = false;
        while (i < args.size() && args.get(i).matches("-[neE]+")) {
            if (args.get(i).contains("e")) escapes = true;
            i++;
        }
        String text = String.join(" ", args.subList(i, args.size()));
        return (escapes ? ShellWords.decodeEscapes(text) : text) + "\n";
    }

    private static String printf(List<String> args) {
        int i = 0;
        if (i < args.size() && args.get(i).equals("-v")) i += 2;
        if (i < args.size() && args.get(i).equals("--")) i++;
        if (i >= args.size()) return "";
        String format = args.get(i);
        List<String> values = args.subList(i + 1, args.size());
        StringBuilder out = new StringBuilder();
        Matcher m = PRINTF_DIRECTIVE.matcher(format);
        int last = 0;
        int next = 0;
        while (m.find()) {
            out.append(ShellWords.decodeEscapes(format.substring(last, m.start())));
            String kind = m.group(1);
            if (kind.equals("%")) {
                out.append('%');
            } else {
                String v = next < values.size() ? values.get(next++) : "";
                out.append(kind.equals("b") ? ShellWords.decodeEscapes(v) : v);
            }
            last = m.end();
        }
        out.append(ShellWords.decodeEscapes(format.substring(last)));
        while (next < values.size()) out.append(' ').append(values.get(next++));
        return out.toString();
    }

    private static String reverseLines(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!out.isEmpty()) out.append('\n');
            out.append(new StringBuilder(line).reverse());
        }
        return out.toString();
    }
}
