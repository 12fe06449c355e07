package io.isobench.report;

import io.isobench.store.StoredRun;
import io.isobench.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run as blocks, answer first: the cost overview, the fairness notes, every view's section, then provenance
 * (folded) and failures. Both {@link HtmlReport} and {@link MarkdownReport} render this.
 */
final class RunDocument {
    private RunDocument() {
    }

    static List<Block> of(ReportRun r) {
        StoredRun.Header hd = r.run().header();
        List<Block> b = new ArrayList<>();
        b.add(new Block.Heading(1, "Run " + hd.id() + " (" + hd.status() + ")"));
        b.add(new Block.Heading(2, "Cost of isolation"));
        b.addAll(ResultsView.overview(r));
        if (!r.run().failures().isEmpty()) {
            b.add(new Block.Paragraph(r.run().failures().size() + " trial(s) failed: their results are missing above; "
                    + "reasons under Failures."));
        }
        List<String> notes = r.fairnessNotes();
        if (!notes.isEmpty()) {
            b.add(new Block.Heading(2, "Fairness notes"));
            b.add(new Block.Notes(notes));
        }
        for (ReportView v : ReportViews.all()) {
            List<Block> section = v.blocks(r);
            if (!section.isEmpty()) {
                b.add(new Block.Heading(2, v.title()));
                b.addAll(section);
            }
        }
        b.add(new Block.Heading(2, "Host, provenance and runtimes"));
        b.add(new Block.Paragraph(hostLine(hd), true));
        b.add(new Block.Details("host, tools and plan", false, List.of(provenance(r.run()))));
        b.add(new Block.Details("runtimes: version and how each ran (or why not)", false, List.of(runtimes(r))));
        failures(b, r);
        return b;
    }

    private static String hostLine(StoredRun.Header hd) {
        Map<String, Object> host = hd.host();
        return host.get("cpu_model") + ", " + host.get("cpus") + " CPUs, kernel " + host.get("kernel") + ", cgroup "
                + host.get("cgroup") + "; isobench " + hd.version() + "; " + hd.startedAt() + " – " + hd.finishedAt() + ".";
    }

    private static Block.Table provenance(StoredRun run) {
        StoredRun.Header hd = run.header();
        Map<String, Object> host = hd.host();
        List<List<Block.Cell>> rows = new ArrayList<>();
        kv(rows, "started – finished", hd.startedAt() + " – " + hd.finishedAt());
        kv(rows, "isobench", hd.version());
        kv(rows, "CPU", host.get("cpu_model") + " (" + host.get("cpus") + " CPUs)");
        kv(rows, "RAM", host.get("memory_bytes") instanceof Number n ? String.format(Locale.ROOT, "%.1f GiB", n.doubleValue() / (1L << 30)) : "?");
        kv(rows, "OS / kernel", host.get("os") + " / " + host.get("kernel"));
        kv(rows, "cgroup", host.get("cgroup"));
        if (host.get("kvm") instanceof Map<?, ?> kvm) {
            kv(rows, "KVM", Boolean.TRUE.equals(kvm.get("usable")) ? "usable (" + kvm.get("detail") + ")"
                    : (Boolean.TRUE.equals(kvm.get("present")) ? "present, unusable (" : "absent (") + kvm.get("detail") + ")");
        }
        kv(rows, "load average at start / end", orUnknown(host.get("loadavg_start")) + " / " + orUnknown(host.get("loadavg_end")));
        io.isobench.analysis.HostLoad.Load load = io.isobench.analysis.HostLoad.load(run);
        kv(rows, "other work before each trial (runnable tasks not isobench's)", load == null ? "not recorded"
                : String.format(Locale.ROOT, "mean %.2f, max %.1f over %d measured trials (busy from %.2f)%s", load.mean(),
                load.max(), load.trials(), io.isobench.analysis.HostLoad.limit(load.cpus()),
                load.busy() ? ": BUSY" : ""));
        kv(rows, "harness (isobench itself)", hd.harnessCpuSeconds() == null ? "?" : String.format(Locale.ROOT,
                "%.2f s CPU, peak RSS %d MiB", hd.harnessCpuSeconds(), hd.harnessPeakRssBytes() / (1024 * 1024)));
        for (var e : hd.tools().entrySet()) {
            kv(rows, "tool " + e.getKey(), e.getValue() instanceof Map<?, ?> ? Json.write(e.getValue()) : e.getValue());
        }
        kv(rows, "plan", Json.write(hd.plan()));
        return new Block.Table(List.of("", ""), rows);
    }

    private static void kv(List<List<Block.Cell>> rows, String k, Object v) {
        rows.add(List.of(Block.Cell.text(k), Block.Cell.text(v)));
    }

    private static String orUnknown(Object o) {
        return o == null ? "not recorded" : o.toString();
    }

    private static Block.Table runtimes(ReportRun r) {
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (StoredRun.RuntimeRow rt : r.run().runtimes()) {
            rows.add(List.of(Block.Cell.text(rt.runtime()), Block.Cell.text(rt.kind()),
                    Block.Cell.text(rt.version() == null ? "" : rt.version()),
                    Block.Cell.text(rt.available() ? ReportRun.params(rt.details()) : "unavailable: " + rt.reason())));
        }
        return new Block.Table(List.of("runtime", "kind", "version", "how it ran / why not"), rows);
    }

    private static void failures(List<Block> b, ReportRun r) {
        if (r.run().failures().isEmpty()) {
            return;
        }
        List<List<Block.Cell>> rows = new ArrayList<>();
        for (StoredRun.FailureRow f : r.run().failures()) {
            String raw = f.rawOutput();
            String tail = raw.length() > 2000 ? "…" + raw.substring(raw.length() - 2000) : raw;
            rows.add(List.of(Block.Cell.text(f.runtime()), Block.Cell.text(f.benchmark()),
                    Block.Cell.text(ReportRun.params(Json.readMap(f.paramsJson()))),
                    Block.Cell.text(f.repetition() + (f.warmup() ? " (warmup)" : "")), Block.Cell.text(f.reason()),
                    new Block.Cell.Code(tail)));
        }
        b.add(new Block.Heading(2, "Failures"));
        b.add(new Block.Table(List.of("runtime", "benchmark", "case", "repetition", "reason", "raw output (tail)"), rows));
    }
}
