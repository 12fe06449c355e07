package io.isobench.cli;

import io.isobench.exec.RunService;
import io.isobench.host.HostFacts;
import io.isobench.host.HostProbe;
import io.isobench.host.KvmProbe;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Defaults;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.util.Json;
import io.isobench.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `isobench doctor`: host facts and every known runtime, tried for real, with reasons a user can act on. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show host facts and which runtimes work here (each is tried for real, with a timeout).")
public final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HostFacts host = new HostProbe().probe(KvmProbe.shared());
        List<RuntimeDriver> drivers = Runtimes.all();
        Limits limits = new Limits(Defaults.cpus(), Units.parseSize(Defaults.MEMORY_LIMIT, "memory"));
        List<Availability> avail = RunService.probeAll(drivers,
                new ProbeContext(new ImageBuilder(RunService.defaultImageCache()), limits));
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", host.toMap());
            List<Map<String, Object>> rts = new ArrayList<>();
            for (int i = 0; i < drivers.size(); i++) {
                Availability a = avail.get(i);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", a.id());
                r.put("kind", drivers.get(i).kind());
                r.put("available", a.available());
                r.put("version", a.version());
                r.put("reason", a.reason());
                r.put("details", a.details());
                String pre = drivers.get(i).prewarmUnsupported();
                r.put("prewarm", pre == null ? Map.of("supported", true) : Map.of("supported", false, "reason", pre));
                r.put("restore", a.available() ? restore(drivers.get(i)) : null);
                rts.add(r);
            }
            m.put("runtimes", rts);
            java.nio.file.Path root = io.isobench.util.CacheDir.root();
            m.put("cache", Map.of("root", root.toString(), "prunable_bytes", io.isobench.util.CacheDir.prunableBytes(root)));
            out.println(Json.pretty(m));
            return 0;
        }
        out.println("host");
        out.printf("  cpu      %s (%d CPUs)%n", host.cpuModel(), host.cpus());
        out.printf(Locale.ROOT, "  memory   %.1f GiB%n", host.memoryBytes() / (1024.0 * 1024 * 1024));
        out.printf("  os       %s, kernel %s, %s%n", host.os(), host.kernel(), host.arch());
        out.printf("  cgroup   %s%n", host.cgroup());
        out.printf("  kvm      %s%n", host.kvm().summary());
        out.printf("  governor %s%n", host.cpuGovernor());
        out.printf("  cache    %s%n", cacheLine(io.isobench.util.CacheDir.root()));
        out.println();
        out.println("runtimes");
        for (int i = 0; i < drivers.size(); i++) {
            Availability a = avail.get(i);
            String status = a.available() ? "available  " : "unavailable";
            out.printf("  %-12s %s %-22s %s%n", a.id(), status, a.version() == null ? "" : a.version(),
                    a.available() ? details(a.details()) : a.reason());
            if (a.available()) {
                out.printf("  %-12s restore: %s%n", "", restore(drivers.get(i)));
            }
        }
        out.println();
        out.println(prewarmLine(drivers, avail));
        return 0;
    }

    /** The cache's root and prunable size, pointing at 'isobench cache'. */
    static String cacheLine(java.nio.file.Path root) {
        return root + ": " + CacheCommand.bytes(io.isobench.util.CacheDir.prunableBytes(root)) + " of images, guest files and built tools ('isobench cache' for what, "
                + "'isobench cache prune' to free it)";
    }

    /**
     * Which available runtimes can create an instance ahead of its start (startup.mode=prewarmed) and, per reason, which
     * cannot.
     */
    static String prewarmLine(List<RuntimeDriver> drivers, List<Availability> avail) {
        List<String> yes = new ArrayList<>();
        Map<String, List<String>> no = new LinkedHashMap<>();
        for (int i = 0; i < drivers.size(); i++) {
            if (!avail.get(i).available()) {
                continue;
            }
            String why = drivers.get(i).prewarmUnsupported();
            if (why == null) {
                yes.add(avail.get(i).id());
            } else {
                no.computeIfAbsent(why, k -> new ArrayList<>()).add(avail.get(i).id());
            }
        }
        StringBuilder sb = new StringBuilder("prewarm (startup.mode=prewarmed: created ahead, only the start timed)\n  can:    ")
                .append(yes.isEmpty() ? "none of the available runtimes" : String.join(" ", yes));
        no.forEach((why, ids) -> sb.append("\n  cannot: ").append(String.join(" ", ids)).append(" (").append(why).append(')'));
        return sb.toString();
    }

    /** How the runtime restores a saved instance (startup.mode=restore), or why it cannot; asked after its probe. */
    static String restore(RuntimeDriver d) {
        return d.checkpointer().map(c -> "yes, " + c.method()).orElseGet(() -> "no: " + d.restoreUnsupported());
    }

    private static String details(Map<String, Object> d) {
        return d.isEmpty() ? "" : d.toString();
    }
}
