package io.isobench.report;

import io.isobench.store.StoredRun;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fixed run (fixed host facts, timestamps and samples) for report tests. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static StoredRun run() {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("hostname", "bench1");
        host.put("os", "Debian GNU/Linux 12 (bookworm)");
        host.put("kernel", "6.1.0-test");
        host.put("cpu_model", "Test CPU");
        host.put("cpus", 2);
        host.put("memory_bytes", 8L << 30);
        host.put("cgroup", "hybrid");
        host.put("kvm", Map.of("present", true, "usable", false, "detail", "probe guest did not boot in 3 s"));
        host.put("loadavg_start", 0.05);
        host.put("loadavg_end", 1.02);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("baseline", "native");
        plan.put("repetitions", 5);
        plan.put("limits", Map.of("cpus", 2.0, "memory_bytes", 2147483648L));
        var header = new StoredRun.Header("20260101-000000-abcd", "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z",
                "completed", "0.1.0", host, plan, Map.of("sysbench", "sysbench 1.0.20"), 1.25, 80L << 20);
        List<StoredRun.RuntimeRow> rts = List.of(
                new StoredRun.RuntimeRow("native", "native", true, "kernel 6.1", null, Map.of("confinement", "none")),
                new StoredRun.RuntimeRow("runc", "container", true, "1.1.5", null, Map.of("seccomp", "none")),
                new StoredRun.RuntimeRow("runsc", "sandbox", true, "20221219", null, Map.of("platform", "ptrace")),
                new StoredRun.RuntimeRow("qemu", "vm", true, "7.2", null, Map.of("accel", "tcg")),
                new StoredRun.RuntimeRow("bwrap", "container", true, "0.8.0", null,
                        Map.of("limits_enforced", "none (bwrap creates no cgroup)")),
                new StoredRun.RuntimeRow("crun", "container", false, "1.8.1", null, Map.of()));
        List<StoredRun.SampleRow> s = new ArrayList<>();
        double[][] eps = {{1800, 1805, 1797, 1802, 1799}, {1790, 1801, 1795, 1803, 1798}, {1500, 1495, 1510, 1502, 1498},
                {340, 338, 345, 341, 339}};
        double[][] mib = {{7000, 7050, 6990, 7020, 7010}, {6980, 7040, 7000, 7010, 6995}, {2900, 2950, 2880, 2910, 2930},
                {900, 905, 895, 902, 898}};
        String[] names = {"native", "runc", "runsc", "qemu"};
        for (int r = 0; r < names.length; r++) {
            for (int i = 0; i < 5; i++) {
                s.add(new StoredRun.SampleRow("cpu", "{\"max_prime\":\"20000\"}", names[r], i + 1, false, "events_per_second",
                        "events/s", true, eps[r][i]));
            }
            s.add(new StoredRun.SampleRow("cpu", "{\"max_prime\":\"20000\"}", names[r], 1, true, "events_per_second",
                    "events/s", true, 1));
        }
        for (int r = 0; r < names.length; r++) {
            for (int i = 0; i < 5; i++) {
                s.add(new StoredRun.SampleRow("memory", "{\"access_mode\":\"seq\",\"block_size\":\"1K\"}", names[r], i + 1, false,
                        "throughput_mib_per_s", "MiB/s", true, mib[r][i]));
            }
        }
        List<StoredRun.FailureRow> f = List.of(new StoredRun.FailureRow("runsc", "cpu", "{\"max_prime\":\"20000\"}", 3, false,
                "timed out after 90 s; <sandbox> killed & removed", "partial <output>"));
        return new StoredRun(header, rts, s, f, List.of(new StoredRun.StopRow("cpu", "{}", 5, "fixed repetitions")));
    }

    /** The fixed run plus startup (instances 1 and 4, native and runc) and footprint results; runc has a guest memory detail. */
    static StoredRun runWithStartupAndFootprint() {
        StoredRun base = run();
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        String[] rts = {"native", "runc"};
        for (int n : new int[]{1, 4}) {
            String params = "{\"delay_ms\":\"0\",\"instances\":\"" + n + "\",\"readiness\":\"first-line\"}";
            for (int r = 0; r < rts.length; r++) {
                for (int rep = 1; rep <= 2; rep++) {
                    for (int i = 0; i < n; i++) {
                        double v = (r == 0 ? 2 : 35) * (1 + 0.1 * n) + i;
                        s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "ready_ms", "ms", false, v));
                        s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "teardown_ms", "ms", false, v / 2));
                    }
                }
            }
        }
        for (int r = 0; r < rts.length; r++) {
            for (int rep = 1; rep <= 2; rep++) {
                s.add(new StoredRun.SampleRow("footprint", "{\"instances\":\"3\",\"settle\":\"1s\"}", rts[r], rep, false,
                        "pss_mib_per_instance", "MiB", false, r == 0 ? 0.05 : 2.0 + rep * 0.01));
                s.add(new StoredRun.SampleRow("footprint", "{\"instances\":\"3\",\"settle\":\"1s\"}", rts[r], rep, false,
                        "uss_mib_per_instance", "MiB", false, r == 0 ? 0.1 : 1.5));
            }
        }
        List<StoredRun.RuntimeRow> runtimes = new ArrayList<>();
        for (StoredRun.RuntimeRow rt : base.runtimes()) {
            runtimes.add(rt.runtime().equals("runc")
                    ? new StoredRun.RuntimeRow("runc", "container", true, "1.1.5", null, Map.of("memory", "512M")) : rt);
        }
        return new StoredRun(base.header(), runtimes, s, base.failures(), base.stops());
    }

    /**
     * The fixed run plus a load-profile case: native and runc, 2 repetitions, points every 0.1 s, idle up to 0.5 s
     * then load; cpu_percent is rep-dependent (median over reps = the mean of the two here) and rss_mib constant.
     */
    static StoredRun runWithLoadProfile() {
        StoredRun base = run();
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        String params = "{\"idle\":\"500ms\",\"interval\":\"100ms\",\"load\":\"500ms\",\"rate\":\"100\"}";
        String[] rts = {"native", "runc"};
        for (int r = 0; r < rts.length; r++) {
            for (int rep = 1; rep <= 2; rep++) {
                s.add(new StoredRun.SampleRow("load-profile", params, rts[r], rep, false, "load_cpu_percent", "%", false, 5 + r));
                for (int k = 1; k <= 10; k++) {
                    String phase = k <= 5 ? "idle" : "load";
                    String at = String.format(java.util.Locale.ROOT, "{\"phase\":\"%s\",\"t_s\":\"%.3f\"}", phase, k * 0.1 + 0.002 * rep);
                    double cpu = (k <= 5 ? 0 : 10 * (r + 1)) + rep;
                    s.add(new StoredRun.SampleRow("load-profile", params, rts[r], rep, false, "cpu_percent", "%", false, cpu, at));
                    s.add(new StoredRun.SampleRow("load-profile", params, rts[r], rep, false, "rss_mib", "MiB", false, 1 + 10 * r, at));
                }
            }
        }
        return new StoredRun(base.header(), base.runtimes(), s, base.failures(), base.stops());
    }
    /**
     * The fixed run plus server results: nginx (ab, native/runc/runsc, 3 repetitions; req/s about the dev host's
     * 11041/10411/1148) and redis (set and get, native and runsc).
     */
    static StoredRun runWithServers() {
        StoredRun base = run();
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        String nginx = "{\"client\":\"ab\",\"concurrency\":\"100\",\"requests\":\"50000\"}";
        String[] rts = {"native", "runc", "runsc"};
        double[][] rps = {{11041, 11100, 10990}, {10411, 10400, 10420}, {1148, 1150, 1146}};
        for (int r = 0; r < rts.length; r++) {
            for (int rep = 1; rep <= 3; rep++) {
                double v = rps[r][rep - 1];
                s.add(new StoredRun.SampleRow("nginx", nginx, rts[r], rep, false, "requests_per_second", "req/s", true, v));
                s.add(new StoredRun.SampleRow("nginx", nginx, rts[r], rep, false, "time_per_request_ms", "ms", false, 100_000 / v));
                s.add(new StoredRun.SampleRow("nginx", nginx, rts[r], rep, false, "failed_requests", "requests", false, 0));
                s.add(new StoredRun.SampleRow("nginx", nginx, rts[r], rep, false, "total_median_ms", "ms", false, r == 2 ? 85 : 9));
            }
        }
        for (String cmd : new String[]{"set", "get"}) {
            String redis = "{\"command\":\"" + cmd + "\",\"concurrency\":\"50\"}";
            for (int rep = 1; rep <= 3; rep++) {
                s.add(new StoredRun.SampleRow("redis", redis, "native", rep, false, "requests_per_second", "req/s", true,
                        (cmd.equals("set") ? 94300 : 96000) + rep));
                s.add(new StoredRun.SampleRow("redis", redis, "runsc", rep, false, "requests_per_second", "req/s", true,
                        (cmd.equals("set") ? 14600 : 15100) + rep));
            }
        }
        return new StoredRun(base.header(), base.runtimes(), s, base.failures(), base.stops());
    }

    /**
     * The fixed run plus a startup case with Poisson arrivals in native and runc: per-instance waterfall points (runc
     * with setup and spawned phases, its instance 2 failed), in-flight series points, percentiles and success rates.
     */
    static StoredRun runWithArrivals() {
        StoredRun base = run();
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        String params = "{\"arrival\":\"poisson:20/s\",\"duration\":\"1s\",\"readiness\":\"first-line\",\"seed\":\"1\"}";
        String[] rts = {"native", "runc"};
        for (int r = 0; r < rts.length; r++) {
            for (int rep = 1; rep <= 2; rep++) {
                int ready = 0;
                for (int i = 0; i < 10; i++) {
                    double launch = i * 50.0 + (i % 3);
                    boolean failed = r == 1 && i == 2;
                    double readyMs = (r == 0 ? 2 : 120) + i;
                    Map<String, String> p = new LinkedHashMap<>();
                    p.put("instance", Integer.toString(i));
                    p.put("run", "1");
                    p.put("intended_ms", Double.toString(i * 50.0));
                    if (r == 1) {
                        p.put("setup_ms", Double.toString(launch + 20));
                        p.put("spawned_ms", Double.toString(launch + 30));
                    }
                    if (failed) {
                        p.put("outcome", "failed");
                        p.put("failed_ms", Double.toString(launch + 60));
                    } else {
                        p.put("outcome", "ready");
                        p.put("ready_ms", Double.toString(launch + readyMs));
                        s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "ready_ms", "ms", false, readyMs));
                        ready++;
                    }
                    s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "instance_at_ms", "ms", false, launch,
                            io.isobench.util.Json.write(p)));
                    s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "launch_lateness_ms", "ms", false,
                            i % 3));
                }
                for (int k = 0; k <= 12; k++) {
                    s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "in_flight", "instances", false,
                            r == 0 ? k % 2 : Math.min(3, k), io.isobench.util.Json.write(Map.of("t_s", Double.toString(k * 0.05),
                            "run", "1"))));
                }
                s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "success_rate", "%", true, ready * 10.0));
                s.add(new StoredRun.SampleRow("startup", params, rts[r], rep, false, "ready_p50_ms", "ms", false, r == 0 ? 6 : 124));
            }
        }
        return new StoredRun(base.header(), base.runtimes(), s, base.failures(), base.stops());
    }
}
