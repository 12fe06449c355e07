package io.isobench.cli;

import io.isobench.util.CacheDir;
import io.isobench.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `isobench cache`: what isobench's cache holds, and `isobench cache prune`: what has not been used for a while goes. */
@Command(name = "cache", mixinStandardHelpOptions = true, subcommands = CacheCommand.Prune.class,
        description = {"Show what isobench's cache holds (workload images, guest initramfs and disks, built tools), "
                + "by kind, with sizes and last use.", "'isobench cache prune' removes what has not been used for a while."})
public final class CacheCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path root = CacheDir.root();
        List<CacheDir.Entry> entries = CacheDir.entries(root);
        Map<String, Long> kept = keptSizes(root);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("root", root.toString());
            List<Map<String, Object>> l = new ArrayList<>();
            for (CacheDir.Entry e : entries) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("kind", e.kind().dir());
                x.put("path", e.path().toString());
                x.put("bytes", e.bytes());
                x.put("last_used", e.lastUsed().toString());
                l.add(x);
            }
            m.put("entries", l);
            m.put("kept_bytes", kept);
            out.println(Json.pretty(m));
            return 0;
        }
        long total = CacheDir.bytes(entries) + kept.values().stream().mapToLong(Long::longValue).sum();
        out.printf("cache %s: %s%n", root, bytes(total));
        out.printf("  %-22s %7s %10s  %-16s  %-16s%n", "prunable", "entries", "size", "oldest use (UTC)", "newest use (UTC)");
        for (CacheDir.Kind k : CacheDir.KINDS) {
            List<CacheDir.Entry> of = entries.stream().filter(e -> e.kind().equals(k)).toList();
            if (of.isEmpty()) {
                continue;
            }
            out.printf("  %-22s %7d %10s  %-16s  %-16s%n", k.label(), of.size(), bytes(CacheDir.bytes(of)),
                    WHEN.format(of.getFirst().lastUsed()), WHEN.format(of.getLast().lastUsed()));
        }
        if (entries.isEmpty()) {
            out.println("  (nothing)");
        }
        if (!kept.isEmpty()) {
            List<String> k = new ArrayList<>();
            kept.forEach((label, b) -> k.add(label + " " + bytes(b)));
            out.println("  never pruned: " + String.join(", ", k));
        }
        out.println("'isobench cache prune' removes the entries not used for 30 days (--unused-for); the next run "
                + "rebuilds what it needs.");
        return 0;
    }

    /** The kept kinds' sizes, by label (the guest kernels without the prunable initrd and disk). */
    static Map<String, Long> keptSizes(Path root) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (CacheDir.Kind k : CacheDir.KEPT) {
            Path d = root.resolve(k.dir());
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            long b = 0;
            try (var s = Files.list(d)) {
                for (Path p : s.toList()) {
                    boolean prunable = CacheDir.KINDS.stream().anyMatch(x -> root.resolve(x.dir()).equals(p));
                    b += prunable ? 0 : CacheDir.size(p);
                }
            } catch (java.io.IOException e) {
                continue;
            }
            m.put(k.label(), b);
        }
        return m;
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = {"Remove the cache entries not used for a while (and builds cut short more than an hour ago).",
                    "Waits for no one: when another isobench process is using the cache, it changes nothing and says so."})
    static final class Prune implements Callable<Integer> {
        static final String DEFAULT_UNUSED_FOR = "30d";

        @Option(names = "--unused-for", paramLabel = "DURATION", defaultValue = DEFAULT_UNUSED_FOR,
                description = "remove what was last used longer ago than this (e.g. 30d, 12h, 0s for everything; default ${DEFAULT-VALUE})")
        String unusedFor;

        @Option(names = "--dry-run", description = "say what would be removed, remove nothing")
        boolean dry;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration d = parse(unusedFor);
            PrintWriter out = spec.commandLine().getOut();
            Path root = CacheDir.root();
            CacheDir.Pruned p;
            try {
                p = CacheDir.prune(root, d, Instant.now(), dry);
            } catch (CacheDir.Busy e) {
                spec.commandLine().getErr().println("isobench: " + e.getMessage());
                return 1;
            }
            for (CacheDir.Entry e : p.removed()) {
                out.printf("%s %s (%s, last used %s)%n", dry ? "would remove" : "removed", e.path(), bytes(e.bytes()), WHEN.format(e.lastUsed()));
            }
            out.printf("%s %d entries, %s; kept %d%n", dry ? "would remove" : "removed", p.removed().size(), bytes(p.bytes()),
                    p.kept().size());
            return 0;
        }

        /** Days as {@code 30d}, else a duration as everywhere in isobench (12h, 90m, 0s); a bad one is the user's mistake. */
        static Duration parse(String s) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,4})d").matcher(s.strip());
            if (m.matches()) {
                return Duration.ofDays(Long.parseLong(m.group(1)));
            }
            return io.isobench.util.Units.parseDuration(s, "--unused-for");
        }
    }
}
