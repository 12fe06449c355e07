package io.isobench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command lines of the running processes, and whole-word lookups in them (the janitors' "is anyone on it"). */
public final class CommandLines {
    private CommandLines() {
    }

    /** Every running process's command line, NULs as spaces, stripped, by pid; one that exits meanwhile is left out. */
    public static Map<Long, String> all() {
        Map<Long, String> m = new LinkedHashMap<>();
        java.io.File[] procs = new java.io.File("/proc").listFiles((dir, n) -> n.chars().allMatch(Character::isDigit));
        for (java.io.File pr : procs == null ? new java.io.File[0] : procs) {
            try {
                m.put(Long.parseLong(pr.getName()), Files.readString(pr.toPath().resolve("cmdline")).replace('\0', ' ').strip());
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile
            }
        }
        return m;
    }

    /** Whether one of {@code cmdlines} (NULs as spaces) has {@code word} as a whole argument. */
    public static boolean anyNames(Collection<String> cmdlines, String word) {
        for (String c : cmdlines) {
            if ((" " + c + " ").contains(" " + word + " ")) {
                return true;
            }
        }
        return false;
    }
}
