package io.isobench.bench.fleet;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.measure.ProcessMemory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Footprint: idle memory of instances of a workload that prints one line and then waits. One instance is
 * launched, made ready and left to settle, then PSS, USS and RSS are summed over every host process the driver
 * reports for it ({@link io.isobench.runtime.Sandbox#hostPids()}, read from /proc/PID/smaps_rollup); then N-1
 * more are launched and everything is measured again. The marginal PSS of one more instance is
 * (PSS(N) - PSS(1)) / (N - 1); USS and RSS per instance are their totals at N divided by N (USS is what removing
 * one instance frees; a marginal USS would go negative as instance 1's private pages become shared);
 * MemAvailable's drop divided by N is recorded as a cross-check. For a VM ({@link io.isobench.runtime.Sandbox#guestMemoryBytes()}
 * &gt; 0) the configured guest memory is recorded, and the PSS at N is split into the guest RAM region (the VMM's anonymous
 * mapping of exactly that size: what the guest has touched) and the VMM's overhead (everything else), each per instance.
 */
public final class FootprintBenchmark implements Benchmark {
    private static final double MIB = 1024.0 * 1024.0;
    public static final Metric PSS_PER_INSTANCE = new Metric("pss_mib_per_instance", "MiB", false);
    public static final Metric PSS_TOTAL = new Metric("pss_mib_total", "MiB", false);
    public static final Metric PSS_SINGLE = new Metric("pss_mib_single", "MiB", false);
    public static final Metric USS_PER_INSTANCE = new Metric("uss_mib_per_instance", "MiB", false);
    public static final Metric RSS_PER_INSTANCE = new Metric("rss_mib_per_instance", "MiB", false);
    public static final Metric MEMAVAILABLE_PER_INSTANCE = new Metric("memavailable_mib_per_instance", "MiB", false);
    /** VMs: the configured guest memory (QEMU's -m), not a measurement. */
    public static final Metric GUEST_CONFIGURED = new Metric("guest_configured_mib", "MiB", false);
    /** VMs: PSS of the guest RAM region of the VMM (the part of the configured memory the guest has touched), total at N / N. */
    public static final Metric GUEST_RAM_PER_INSTANCE = new Metric("guest_ram_pss_mib_per_instance", "MiB", false);
    /** VMs: PSS outside the guest RAM region (the VMM's own code, heap, device state, TCG translation cache), total at N / N. */
    public static final Metric VMM_OVERHEAD_PER_INSTANCE = new Metric("vmm_overhead_pss_mib_per_instance", "MiB", false);

    @Override
    public String id() {
        return "footprint";
    }

    @Override
    public String description() {
        return "idle memory per instance: PSS/USS/RSS of the instance's host processes for 1 and for N instances";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("instances", "20", ParamSpec.Type.INT, "instances measured together (N); 1 is always measured first").range(1, 10_000),
                ParamSpec.of("settle", "1s", ParamSpec.Type.DURATION, "wait after readiness before memory is read"));
    }

    @Override
    public Set<String> tools() {
        return Set.of();
    }

    @Override
    public List<Metric> metrics() {
        return List.of(PSS_PER_INSTANCE, PSS_TOTAL, PSS_SINGLE, USS_PER_INSTANCE, RSS_PER_INSTANCE, MEMAVAILABLE_PER_INSTANCE,
                GUEST_CONFIGURED, GUEST_RAM_PER_INSTANCE, VMM_OVERHEAD_PER_INSTANCE);
    }

    @Override
    public List<Params> cases(Params resolved) {
        if (resolved.getLong("instances") < 1) {
            throw new io.isobench.util.UserException("footprint.instances must be at least 1");
        }
        return List.of(resolved);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return p.getDuration("settle").multipliedBy(2).plusMillis(200 * p.getLong("instances") + 3000);
    }

    @Override
    public int launches(Params p) {
        return (int) p.getLong("instances");
    }

    /** One, then the other N − 1 at once. */
    @Override
    public int launchesAtOnce(Params p) {
        return (int) Math.max(1, p.getLong("instances") - 1);
    }

    /** Marginal cost per added instance: (total(N) − total(1)) / (N − 1); for N = 1 the single instance's value. */
    static double marginal(double one, double all, int n) {
        return n <= 1 ? one : (all - one) / (n - 1);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure, InterruptedException {
        int n = (int) ctx.params().getLong("instances");
        Duration settle = ctx.params().getDuration("settle");
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        StringBuilder raw = new StringBuilder();
        Fleet fleet = new Fleet(ctx, n);
        try {
            long avail0 = ProcessMemory.memAvailableBytes();
            fleet.launch(0, 1, Duration.ZERO);
            requireReady(fleet, 0, 1, deadline, ctx);
            Thread.sleep(settle);
            ProcessMemory.Total one = measure(fleet, 1, raw, "1 instance");
            long availN = avail0;
            ProcessMemory.Total all = one;
            if (n > 1) {
                fleet.launch(1, n, Duration.ZERO);
                requireReady(fleet, 1, n, deadline, ctx);
                Thread.sleep(settle);
                all = measure(fleet, n, raw, n + " instances");
            }
            availN = ProcessMemory.memAvailableBytes();
            ProcessMemory m1 = one.memory();
            ProcessMemory mn = all.memory();
            double memAvailPer = avail0 < 0 || availN < 0 ? Double.NaN : (avail0 - availN) / MIB / n;
            raw.append(String.format(Locale.ROOT, "MemAvailable before %d MiB, with %d instances %d MiB%n",
                    avail0 >> 20, n, availN >> 20));
            raw.append("Only processes the driver reports per instance (Sandbox.hostPids) are counted; "
                    + "daemons shared by all instances (an engine, its containerd) are not.\n");
            List<Sample> s = new ArrayList<>();
            s.add(new Sample(PSS_PER_INSTANCE, marginal(m1.pssBytes(), mn.pssBytes(), n) / MIB));
            s.add(new Sample(PSS_TOTAL, mn.pssBytes() / MIB));
            s.add(new Sample(PSS_SINGLE, m1.pssBytes() / MIB));
            // USS is not marginal: pages private to instance 1 become shared (leave its USS) once a second maps them
            s.add(new Sample(USS_PER_INSTANCE, mn.ussBytes() / MIB / n));
            s.add(new Sample(RSS_PER_INSTANCE, mn.rssBytes() / MIB / n));
            if (Double.isFinite(memAvailPer)) {
                s.add(new Sample(MEMAVAILABLE_PER_INSTANCE, memAvailPer));
            }
            long guest = fleet.sandbox(0).guestMemoryBytes();
            if (guest > 0) {
                ProcessMemory ram = guestRam(fleet, n, guest, raw);
                if (ram != null) {
                    double ramPer = ram.pssBytes() / MIB / n;
                    double vmmPer = (mn.pssBytes() - ram.pssBytes()) / MIB / n;
                    s.add(new Sample(GUEST_CONFIGURED, guest / MIB));
                    s.add(new Sample(GUEST_RAM_PER_INSTANCE, ramPer));
                    s.add(new Sample(VMM_OVERHEAD_PER_INSTANCE, vmmPer));
                    raw.append(String.format(Locale.ROOT, "guest memory configured %.0f MiB per instance; at %d instances "
                                    + "guest RAM region PSS %.2f MiB, VMM overhead (PSS outside it) %.2f MiB, per instance%n",
                            guest / MIB, n, ramPer, vmmPer));
                }
            }
            return new TrialOutcome(s, raw.toString());
        } catch (TrialFailure f) {
            fleet.close();
            throw new TrialFailure(f.reason(), raw + f.rawOutput() + fleet.outputOfNotReady(3));
        } finally {
            fleet.close(); // idempotent: sandboxes' close() is
        }
    }

    private static void requireReady(Fleet fleet, int from, int to, long deadline, TrialContext ctx)
            throws InterruptedException, TrialFailure {
        fleet.awaitReady(deadline);
        for (int i = from; i < to; i++) {
            if (fleet.launchError(i) != null) {
                throw new TrialFailure("instance " + i + " failed to launch: " + fleet.launchError(i), "");
            }
            if (!fleet.ready(i)) {
                throw new TrialFailure(String.format(Locale.ROOT, "instance %d of %d not ready (no line on stdout) within %d s; all torn down",
                        i, fleet.capacity(), ctx.timeout().toSeconds()), "");
            }
        }
    }

    /**
     * The guest RAM regions (anonymous mappings of exactly the configured size) of the first {@code n} instances' host
     * processes, summed; null (and a line saying so) when some instance has none, so no split is reported.
     */
    private static ProcessMemory guestRam(Fleet fleet, int n, long guestBytes, StringBuilder raw) {
        ProcessMemory sum = ProcessMemory.ZERO;
        for (int i = 0; i < n; i++) {
            ProcessMemory found = null;
            for (long pid : fleet.sandbox(i).hostPids()) {
                ProcessMemory m = ProcessMemory.ofMappingsOfSize(pid, guestBytes);
                if (m != null) {
                    found = found == null ? m : found.plus(m);
                }
            }
            if (found == null) {
                raw.append(String.format(Locale.ROOT, "no guest RAM mapping of %d MiB found in instance %d's host processes: "
                        + "guest RAM and VMM overhead not reported apart%n", guestBytes >> 20, i));
                return null;
            }
            sum = sum.plus(found);
        }
        return sum;
    }

    private static ProcessMemory.Total measure(Fleet fleet, int upTo, StringBuilder raw, String what) {
        List<Integer> perInstance = new ArrayList<>();
        List<Long> pids = fleet.hostPids(0, upTo, perInstance);
        ProcessMemory.Total t = ProcessMemory.sum(pids);
        ProcessMemory m = t.memory();
        raw.append(String.format(Locale.ROOT, "== %s: %d host pids, PSS %.2f MiB, USS %.2f MiB, RSS %.2f MiB%n", what, pids.size(),
                m.pssBytes() / MIB, m.ussBytes() / MIB, m.rssBytes() / MIB));
        t.lines().forEach(l -> raw.append(l).append('\n'));
        if (perInstance.contains(0)) {
            raw.append("INCOMPLETE: ").append(perInstance.stream().filter(x -> x == 0).count())
                    .append(" instance(s) reported no host pids (Sandbox.hostPids is empty): their memory is not counted\n");
        }
        if (!t.unreadable().isEmpty()) {
            raw.append("INCOMPLETE: smaps_rollup unreadable or process gone for pids ").append(t.unreadable()).append('\n');
        }
        return t;
    }
}
