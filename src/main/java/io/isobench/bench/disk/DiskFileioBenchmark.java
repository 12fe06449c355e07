package io.isobench.bench.disk;

import io.isobench.bench.Benchmark;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.bench.sysbench.Sysbench;
import io.isobench.bench.sysbench.SysbenchOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * sysbench fileio sequential read, write and rewrite (the papers' seqrd, seqwr, seqrewr) on the runtime's own
 * storage: prepare, run and cleanup in the same sandbox; only run is measured. sysbench's defaults otherwise
 * (synchronous I/O, no O_DIRECT, fsync every 100 requests): seqrd reads files that prepare has just written.
 */
public final class DiskFileioBenchmark implements Benchmark {
    public static final Metric OPS = new Metric("operations_per_second", "ops/s", true);

    @Override
    public String id() {
        return "disk-fileio";
    }

    @Override
    public String description() {
        return "sysbench fileio seqrd/seqwr/seqrewr on the runtime's own storage";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("mode", "seqrd,seqwr,seqrewr", true, "--file-test-mode, one case each",
                        "seqrd", "seqwr", "seqrewr"),
                ParamSpec.of("size", "256M", ParamSpec.Type.SIZE, "--file-total-size"),
                ParamSpec.of("files", "4", ParamSpec.Type.INT, "--file-num"),
                ParamSpec.of("time", "5s", ParamSpec.Type.DURATION, "duration of the run phase (--time, whole seconds)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of("sysbench");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(DiskFioBenchmark.READ_MIB, DiskFioBenchmark.WRITE_MIB, OPS);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> cases = new ArrayList<>();
        for (String mode : resolved.getList("mode")) {
            cases.add(resolved.with("mode", mode));
        }
        return cases;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return p.getDuration("time").plusSeconds(5 + DiskTrial.size(p, "size") / (32L << 20));
    }

    static String script(String sysbench, Params p) {
        String common = sysbench + " fileio --file-total-size=" + p.get("size") + " --file-num=" + p.getLong("files");
        return """
                S="$ISOBENCH_SCRATCH"
                if [ -z "$S" ] || [ ! -d "$S" ]; then echo "isobench: no scratch directory (ISOBENCH_SCRATCH)" >&2; exit 2; fi
                cd "$S" || exit 2
                %1$s prepare >"$S/.prepare.log" 2>&1 || { cat "$S/.prepare.log" >&2; exit 1; }
                %1$s --file-test-mode=%2$s --time=%3$d run
                rc=$?
                %1$s cleanup >/dev/null 2>&1
                exit $rc
                """.formatted(common, p.get("mode"), Sysbench.seconds(p.getDuration("time")));
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        Params p = ctx.params();
        DiskTrial.Result r = DiskTrial.run(ctx, script(ctx.image().tools().get("sysbench"), p), DiskTrial.size(p, "size"));
        return DiskTrial.outcome(r, out -> parse(out, p.get("mode")));
    }

    static List<Sample> parse(String stdout, String mode) throws CommandBenchmark.ParseException {
        SysbenchOutput o = new SysbenchOutput(stdout);
        o.check();
        boolean read = mode.equals("seqrd");
        double mib = SysbenchOutput.require(read ? o.readMibPerSecond() : o.writtenMibPerSecond(),
                read ? "read, MiB/s" : "written, MiB/s");
        double ops = SysbenchOutput.require(read ? o.readsPerSecond() : o.writesPerSecond(), read ? "reads/s" : "writes/s");
        if (mib <= 0) {
            throw new CommandBenchmark.ParseException("sysbench fileio " + mode + " moved no data");
        }
        return List.of(new Sample(read ? DiskFioBenchmark.READ_MIB : DiskFioBenchmark.WRITE_MIB, mib), new Sample(OPS, ops));
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
