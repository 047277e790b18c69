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
                if (operands.size() >= 2) {
                    String target = operands.getLast();
                    // into a directory: each source lands under its own name there
                    if (target.endsWith("/")) operands.subList(0, operands.size() - 1).forEach(src -> out.add(target + Programs.name(src)));
                    else out.add(target);
                }
            }
            case "sed", "perl" -> {
                // in-place editing rewrites every file operand: sed -i '$a cmd' ~/.bashrc
                boolean inPlace = args.stream().anyMatch(a -> a.startsWith("-i") || a.equals("--in-place") || a.startsWith("--in-place=")
                        || a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-' && a.indexOf('i') > 0 && inv.program().equals("perl"));
                if (inPlace) {
                    List<String> operands = args.stream().filter(a -> !a.startsWith("-")).toList();
                    boolean scriptGiven = args.stream().anyMatch(a -> a.equals("-e") || a.equals("-f") || a.startsWith("--expression"));
                    operands.stream().skip(scriptGiven || inv.program().equals("perl") ? 0 : 1).forEach(out::add);
                }
            }
            default -> {
            }
        }
        return out;
    }
}
