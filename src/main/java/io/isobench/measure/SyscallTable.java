package io.isobench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * System call numbers to names for the host's native ABI, parsed from the kernel UAPI header that linux-libc-dev
 * installs ({@code asm/unistd_64.h} on x86-64, {@code asm-generic/unistd.h} on arm64/riscv64), never a hard-coded
 * list. Numbers the header does not know (calls newer than the headers, e.g. on a newer kernel) are named
 * {@code syscall_<nr>}.
 */
public final class SyscallTable {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(__NR3264_\\w+|__NR_\\w+)\\s+(\\S+)\\s*$");

    private final Map<Integer, String> names;
    private final String source;

    SyscallTable(Map<Integer, String> names, String source) {
        this.names = Map.copyOf(names);
        this.source = source;
    }

    /** The host's table, or an empty one whose {@link #source()} says why. */
    public static SyscallTable host() {
        String arch = System.getProperty("os.arch");
        List<Path> candidates = switch (arch) {
            case "amd64", "x86_64" -> List.of(Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
                    Path.of("/usr/include/asm/unistd_64.h"));
            case "aarch64", "riscv64", "loongarch64" -> List.of(Path.of("/usr/include/asm-generic/unistd.h"));
            default -> List.of();
        };
        for (Path p : candidates) {
            if (Files.isReadable(p)) {
                try {
                    return parse(Files.readString(p), p.toString());
                } catch (IOException e) {
                    // try the next one
                }
            }
        }
        return new SyscallTable(Map.of(), "no system call header for " + arch
                + " (install linux-libc-dev); calls are named by number");
    }

    /**
     * Parses {@code #define __NR_name number} lines; {@code #define __NR_name __NR3264_other} aliases (the generic
     * header's 32/64-bit names) resolve through the {@code __NR3264_} numbers.
     */
    static SyscallTable parse(String header, String source) {
        Map<String, Integer> macros = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        // the generic header names some numbers differently for 32-bit ABIs (fcntl64, llseek...): follow only the
        // branches of "#if __BITS_PER_LONG == 32/64" that hold for a 64-bit host, and every other branch
        Deque<Boolean[]> frames = new ArrayDeque<>(); // {is64BitCondition-dependent, active}
        for (String raw : header.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#if")) {
                boolean only32 = line.contains("__BITS_PER_LONG == 32");
                boolean only64 = line.contains("__BITS_PER_LONG == 64");
                frames.push(new Boolean[]{only32 || only64, !only32});
                continue;
            }
            if (line.startsWith("#else") && !frames.isEmpty()) {
                Boolean[] f = frames.peek();
                if (f[0]) {
                    f[1] = !f[1];
                }
                continue;
            }
            if (line.startsWith("#endif") && !frames.isEmpty()) {
                frames.pop();
                continue;
            }
            if (frames.stream().anyMatch(f -> !f[1])) {
                continue;
            }
            Matcher m = DEFINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2);
            if (value.matches("\\d+")) {
                macros.put(m.group(1), Integer.parseInt(value));
            } else if (value.startsWith("__NR")) {
                aliases.put(m.group(1), value);
            }
        }
        aliases.forEach((name, target) -> {
            Integer n = macros.get(target);
            if (n != null) {
                macros.putIfAbsent(name, n);
            }
        });
        Map<Integer, String> names = new HashMap<>();
        macros.forEach((macro, nr) -> {
            if (macro.startsWith("__NR_") && !macro.equals("__NR_syscalls") && !macro.startsWith("__NR_arch_specific")) {
                names.putIfAbsent(nr, macro.substring("__NR_".length()));
            }
        });
        return new SyscallTable(names, source);
    }

    public String name(int nr) {
        String n = names.get(nr);
        return n != null ? n : "syscall_" + nr;
    }

    public boolean knows(int nr) {
        return names.containsKey(nr);
    }

    public int size() {
        return names.size();
    }

    /** Where the names come from (a header path, or why there is none). */
    public String source() {
        return source;
    }
}
