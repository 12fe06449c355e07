package io.isobench.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * The end of what a node's job printed (the node agent's stdout and stderr, as the engine kept it: a Slurm job's
 * {@code --output} file, a Kubernetes pod's log): at most {@value #LINES} lines of at most {@value #LINE_CHARS}
 * characters each, and where they were read. {@code fleet run} and {@code fleet status} show it beside a failed
 * node's reason: a node whose job failed before its run reached the store (isobench missing on the node, the store
 * unreachable) has nothing else to say why.
 */
public record JobOutput(String source, List<String> lines) {
    public static final int LINES = 20;
    public static final int LINE_CHARS = 240;

    public JobOutput {
        lines = List.copyOf(lines);
    }

    /** The last {@value #LINES} non-empty-trailing lines of {@code text}, each cut to {@value #LINE_CHARS} characters. */
    public static JobOutput tail(String source, String text) {
        List<String> all = new ArrayList<>(text.lines().map(JobOutput::cut).toList());
        while (!all.isEmpty() && all.get(all.size() - 1).isBlank()) {
            all.remove(all.size() - 1);
        }
        return new JobOutput(source, all.subList(Math.max(0, all.size() - LINES), all.size()));
    }

    private static String cut(String line) {
        String l = line.replaceAll("[\\p{Cntrl}&&[^\t]]", "?"); // no terminal escapes from a node's output
        return l.length() <= LINE_CHARS ? l : l.substring(0, LINE_CHARS - 1) + "…";
    }

    /** The lines under a heading, for a reason stored or printed with the node ("" when there are none). */
    public String block() {
        if (lines.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("last " + lines.size() + (lines.size() == 1 ? " line" : " lines")
                + " of the job's output (" + source + "):");
        lines.forEach(l -> sb.append("\n  | ").append(l));
        return sb.toString();
    }

    /** A node's stored reason split into its own words and the job output {@link #block()} appended to it (or null). */
    public record Reason(String text, JobOutput output) {
    }

    private static final java.util.regex.Pattern BLOCK =
            java.util.regex.Pattern.compile("\nlast \\d+ lines? of the job's output \\((.*)\\):((?:\\n  \\| .*)*)$");

    /** {@code reason} as stored by {@code fleet run}: its words, and the output it ends with, if any. */
    public static Reason split(String reason) {
        if (reason == null) {
            return new Reason(null, null);
        }
        java.util.regex.Matcher m = BLOCK.matcher(reason);
        if (!m.find()) {
            return new Reason(reason, null);
        }
        List<String> lines = m.group(2).lines().filter(l -> l.startsWith("  | ")).map(l -> l.substring(4)).toList();
        return new Reason(reason.substring(0, m.start()), new JobOutput(m.group(1), lines));
    }
}
