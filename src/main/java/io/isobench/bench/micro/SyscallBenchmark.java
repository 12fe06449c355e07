package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.image.BuiltTool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cost of one cheap system call, from isobench's own static probe ({@code resources/probe/syscall-probe.c},
 * built with gcc -O2 -static into the image). The probe runs calls for a fixed time budget (so gVisor's
 * ptrace platform, ~100x slower per call, takes as long as native), times the loop with CLOCK_MONOTONIC and
 * subtracts an empty loop of the same length. One case per call.
 */
public final class SyscallBenchmark extends CommandBenchmark {
    public static final BuiltTool PROBE = new BuiltTool("syscall-probe", "probe/syscall-probe.c");
    public static final Metric NS_PER_CALL = new Metric("ns_per_call", "ns", false);
    public static final List<String> CALLS = List.of("getpid", "clock_gettime", "open_close", "read_devzero", "stat");
    private static final Pattern LINE = Pattern.compile(
            "^call=(\\S+) iterations=(\\d+) ns_per_call=(-?[0-9.]+)(?:\\s.*)?$", Pattern.MULTILINE);

    @Override
    public String id() {
        return "syscall";
    }

    @Override
    public String description() {
        return "ns per call of cheap system calls (raw getpid, clock_gettime via libc/vDSO, open+close, "
                + "1-byte read of /dev/zero, stat) from a static probe, over a fixed time budget";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("call", String.join(",", CALLS), true,
                        "calls to time, one case each: getpid = syscall(SYS_getpid), never cached; clock_gettime = "
                                + "libc CLOCK_MONOTONIC, usually served by the vDSO without a kernel entry; open_close = "
                                + "open+close of /etc/passwd; read_devzero = read of 1 byte; stat = stat of /etc/passwd",
                        CALLS.toArray(String[]::new)),
                ParamSpec.of("time", "2s", ParamSpec.Type.DURATION,
                        "time budget per call and trial; the probe reports how many calls fit in it"));
    }

    @Override
    public Set<String> tools() {
        return Set.of();
    }

    @Override
    public List<BuiltTool> builtTools() {
        return List.of(PROBE);
    }

    @Override
    public List<Metric> metrics() {
        return List.of(NS_PER_CALL);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> l = new ArrayList<>();
        for (String c : resolved.getList("call")) {
            l.add(resolved.with("call", c));
        }
        return l;
    }

    @Override
    public Duration expectedDuration(Params p) {
        // calibration is a few batches of 10 ms; the probe stops at 3x the budget in any case
        return p.getDuration("time").plusSeconds(1);
    }

    @Override
    protected List<String> command(TrialContext ctx) {
        Params p = ctx.params();
        return List.of(ctx.image().tools().get(PROBE.name()), Long.toString(Math.max(1, p.getDuration("time").toMillis())),
                p.get("call"));
    }

    @Override
    protected List<Sample> parse(String stdout, Params params) throws ParseException {
        String call = params.get("call");
        Double v = parseNsPerCall(stdout).get(call);
        if (v == null) {
            throw new ParseException("no 'call=" + call + " ... ns_per_call=' line");
        }
        return List.of(new Sample(NS_PER_CALL, v));
    }

    /** Every {@code call=NAME iterations=N ns_per_call=X} line of the probe's output, by call name. */
    static java.util.Map<String, Double> parseNsPerCall(String stdout) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        Matcher x = LINE.matcher(stdout);
        while (x.find()) {
            m.put(x.group(1), Double.parseDouble(x.group(3)));
        }
        return m;
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
