package io.isobench.bench.disk;

import io.isobench.bench.Benchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The papers' dd runs: a streaming write of zeros into a file on the runtime's own storage, {@code conv=fsync} so
 * the figure includes getting the data to storage, one case per block size.
 */
public final class DiskDdBenchmark implements Benchmark {
    @Override
    public String id() {
        return "disk-dd";
    }

    @Override
    public String description() {
        return "dd streaming write (if=/dev/zero, conv=fsync) on the runtime's own storage";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.of("block", "4K,128K", ParamSpec.Type.SIZE_LIST, "dd bs, one case each"),
                ParamSpec.of("size", "256M", ParamSpec.Type.SIZE, "bytes written (count = size / block)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of("dd");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(DiskFioBenchmark.WRITE_MIB);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> cases = new ArrayList<>();
        for (String block : resolved.getList("block")) {
            cases.add(resolved.with("block", block));
        }
        return cases;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return Duration.ofSeconds(5 + DiskTrial.size(p, "size") / (32L << 20));
    }

    /** bs x count: what dd must copy. */
    static long expectedBytes(Params p) {
        long block = DiskTrial.size(p, "block");
        return block * Math.max(1, DiskTrial.size(p, "size") / block);
    }

    static String script(String dd, Params p) {
        long block = DiskTrial.size(p, "block");
        long count = Math.max(1, DiskTrial.size(p, "size") / block);
        return """
                S="$ISOBENCH_SCRATCH"
                if [ -z "$S" ] || [ ! -d "$S" ]; then echo "isobench: no scratch directory (ISOBENCH_SCRATCH)" >&2; exit 2; fi
                exec %s if=/dev/zero of="$S/dd.dat" bs=%d count=%d conv=fsync 2>&1
                """.formatted(dd, block, count);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        Params p = ctx.params();
        DiskTrial.Result r = DiskTrial.run(ctx, script(ctx.image().tools().get("dd"), p), DiskTrial.size(p, "size"));
        long bytes = expectedBytes(p);
        return DiskTrial.outcome(r, out -> {
            DdOutput.Copy copy = DdOutput.parse(out);
            DdOutput.check(copy, bytes, out);
            return List.of(new Sample(DiskFioBenchmark.WRITE_MIB, copy.mibPerSecond()));
        });
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
