package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Redirect;

import java.util.ArrayList;
import java.util.List;

/** The paths a command writes: redirections, {@code tee}, {@code dd of=}, and the destination of a copy. */
final class Writes {

    private Writes() {
    }

    static List<String> targets(Invocation inv) {
        List<String> out = new ArrayList<>();
        for (Redirect r : inv.redirects()) {
            if (r.writes()) out.add(r.target());
        }
        List<String> args = inv.args();
        switch (inv.program()) {
            case "tee" -> args.stream().filter(a -> !a.startsWith("-")).forEach(out::add);
            case "dd" -> args.stream().filter(a -> a.startsWith("of=")).map(a -> a.substring(3)).forEach(out::add);
            case "cp", "mv", "install", "ln" -> {
                List<String> operands = args.stream().filter(a -> !a.startsWith("-")).toList();
                if (operands.size() >= 2) out.add(operands.getLast());
            }
            default -> {
            }
        }
        return out;
    }
}
