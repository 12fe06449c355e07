package io.isobench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory of host processes from {@code /proc/<pid>/smaps_rollup}: PSS (shared pages split among the processes
 * mapping them), USS (pages private to the process: Private_Clean + Private_Dirty) and RSS. Values in bytes.
 * Needs root (or the same user) to read other processes' smaps_rollup.
 */
public record ProcessMemory(long pssBytes, long ussBytes, long rssBytes, long swapBytes) {

    public static final ProcessMemory ZERO = new ProcessMemory(0, 0, 0, 0);

    public ProcessMemory plus(ProcessMemory o) {
        return new ProcessMemory(pssBytes + o.pssBytes, ussBytes + o.ussBytes, rssBytes + o.rssBytes, swapBytes + o.swapBytes);
    }

    /** Parses the text of a smaps_rollup file (or a full smaps file: every mapping's lines are summed). */
    public static ProcessMemory parseSmapsRollup(String text) {
        long pss = 0;
        long privClean = 0;
        long privDirty = 0;
        long rss = 0;
        long swap = 0;
        boolean any = false;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.stripTrailing().endsWith(" kB")) {
                continue; // the header line (address range and [rollup]) or another non-size line
            }
            String key = line.substring(0, colon);
            long kb;
            try {
                kb = Long.parseLong(line.substring(colon + 1).replace("kB", "").strip());
            } catch (NumberFormatException e) {
                continue;
            }
            switch (key) {
                case "Pss" -> pss += kb;
                case "Private_Clean" -> privClean += kb;
                case "Private_Dirty" -> privDirty += kb;
                case "Rss" -> rss += kb;
                case "Swap" -> swap += kb;
                default -> {
                    continue;
                }
            }
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException("no Rss/Pss/Private_* lines: not a smaps_rollup file");
        }
        return new ProcessMemory(pss * 1024, (privClean + privDirty) * 1024, rss * 1024, swap * 1024);
    }

    /**
     * Sums the mappings of a full {@code /proc/PID/smaps} text whose size is exactly {@code sizeBytes} and that map
     * no file (a VMM's guest RAM: QEMU maps {@code -m} as one anonymous region of that size); null when there is none.
     */
    public static ProcessMemory parseMappingsOfSize(String smaps, long sizeBytes) {
        long wantKb = sizeBytes / 1024;
        ProcessMemory total = null;
        StringBuilder block = null;
        for (String line : smaps.split("\n")) {
            if (MAPPING_HEADER.matcher(line).lookingAt()) {
                total = add(total, block, wantKb);
                block = new StringBuilder();
            }
            if (block != null) {
                block.append(line).append('\n');
            }
        }
        return add(total, block, wantKb);
    }

    private static final java.util.regex.Pattern MAPPING_HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private static ProcessMemory add(ProcessMemory total, StringBuilder block, long wantKb) {
        ProcessMemory m = block == null ? null : matching(block.toString(), wantKb);
        return m == null ? total : total == null ? m : total.plus(m);
    }

    /** One smaps block: its memory when it is an anonymous mapping of exactly {@code wantKb}, else null. */
    private static ProcessMemory matching(String block, long wantKb) {
        String header = block.substring(0, block.indexOf('\n'));
        String[] f = header.trim().split("\\s+");
        if (f.length > 5) {
            return null; // backed by a file (or [heap], [stack]...)
        }
        for (String line : block.split("\n")) {
            if (line.startsWith("Size:")) {
                long kb = Long.parseLong(line.substring(5).replace("kB", "").strip());
                return kb == wantKb ? parseSmapsRollup(block) : null;
            }
        }
        return null;
    }

    /** {@link #parseMappingsOfSize} of a live process's smaps; null when it has none or is gone. */
    public static ProcessMemory ofMappingsOfSize(long pid, long sizeBytes) {
        try {
            return parseMappingsOfSize(Files.readString(Path.of("/proc", Long.toString(pid), "smaps")), sizeBytes);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** One process's memory, or null when it has exited (or is a kernel thread without mappings). */
    public static ProcessMemory ofPid(long pid) throws IOException {
        return ofFile(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
    }

    static ProcessMemory ofFile(Path f) throws IOException {
        String text;
        try {
            text = Files.readString(f);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such process")) {
                return null;
            }
            throw e;
        }
        if (text.isBlank()) {
            return null; // kernel thread or a zombie: nothing mapped
        }
        return parseSmapsRollup(text);
    }

    /**
     * The sum over a set of processes, with a line per process for the trial's raw output (pid, command
     * name, PSS/USS/RSS in KiB) and which pids could not be read.
     */
    public record Total(ProcessMemory memory, List<String> lines, List<Long> unreadable) {
    }

    public static Total sum(List<Long> pids) {
        ProcessMemory total = ZERO;
        List<String> lines = new ArrayList<>();
        List<Long> unreadable = new ArrayList<>();
        for (long pid : pids) {
            ProcessMemory m;
            try {
                m = ofPid(pid);
            } catch (IOException | IllegalArgumentException e) {
                m = null;
            }
            if (m == null) {
                unreadable.add(pid);
                continue;
            }
            total = total.plus(m);
            lines.add(String.format(Locale.ROOT, "%8d %-16s pss=%d uss=%d rss=%d KiB", pid, comm(pid),
                    m.pssBytes / 1024, m.ussBytes / 1024, m.rssBytes / 1024));
        }
        return new Total(total, lines, unreadable);
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** MemAvailable of /proc/meminfo in bytes, or -1 when unknown. */
    public static long memAvailableBytes() {
        Long v = io.isobench.host.MemInfo.read(Path.of("/proc/meminfo")).get("MemAvailable");
        return v == null ? -1 : v;
    }
}
