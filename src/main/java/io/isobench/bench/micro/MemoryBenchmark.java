package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.sysbench.Sysbench;
import io.isobench.bench.sysbench.SysbenchOutput;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.isobench.bench.sysbench.SysbenchOutput.require;

/**
 * sysbench memory: writes (or reads) blocks of memory for a fixed time, once per access mode (sequential
 * and random, as in the papers) and block size. Each combination is its own case (params access_mode,
 * block_size). Block size changes what is measured: at 1 KiB (sysbench's and the papers' default) every
 * block is one sysbench event, so per-event overhead (time checks, loop) weighs heavily and sandboxes that
 * make it dearer look worse; at 1 MiB the figure is close to memory bandwidth. Both are measured by default.
 */
public final class MemoryBenchmark extends CommandBenchmark {
    public static final Metric THROUGHPUT = new Metric("throughput_mib_per_s", "MiB/s", true);
    public static final Metric OPS = new Metric("operations_per_second", "ops/s", true);

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public String description() {
        return "sysbench memory: block writes/reads, sequential and random access";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("access_mode", "seq,rnd", true, "access modes, one case each (--memory-access-mode)",
                        "seq", "rnd"),
                ParamSpec.choice("oper", "write", false, "operation (--memory-oper)", "write", "read", "none"),
                ParamSpec.of("block_size", "1K,1M", ParamSpec.Type.SIZE_LIST,
                        "block sizes, one case each (--memory-block-size); 1K = papers, 1M ~ bandwidth"),
                ParamSpec.of("total_size", "100G", ParamSpec.Type.SIZE, "stop after this much data (--memory-total-size)"),
                ParamSpec.of("threads", "1", ParamSpec.Type.INT, "worker threads (--threads)"),
                ParamSpec.of("time", "10s", ParamSpec.Type.DURATION, "duration of one trial (--time, whole seconds)"));
    }

    @Override
    public Set<String> tools() {
        return Set.of("sysbench");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(THROUGHPUT, OPS);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> cases = new java.util.ArrayList<>();
        for (String block : resolved.getList("block_size")) {
            for (String mode : resolved.getList("access_mode")) {
                cases.add(resolved.with("block_size", block).with("access_mode", mode));
            }
        }
        return cases;
    }

    @Override
    public Duration expectedDuration(Params p) {
        return p.getDuration("time");
    }

    @Override
    protected List<String> command(TrialContext ctx) {
        Params p = ctx.params();
        return List.of(ctx.image().tools().get("sysbench"), "memory",
                "--memory-block-size=" + p.get("block_size"),
                "--memory-total-size=" + p.get("total_size"),
                "--memory-access-mode=" + p.get("access_mode"),
                "--memory-oper=" + p.get("oper"),
                "--threads=" + p.get("threads"),
                "--time=" + Sysbench.seconds(p.getDuration("time")),
                "run");
    }

    @Override
    protected List<Sample> parse(String stdout, Params params) throws ParseException {
        SysbenchOutput o = new SysbenchOutput(stdout);
        o.check();
        return List.of(
                new Sample(THROUGHPUT, require(o.mibPerSecond(), "MiB transferred (... MiB/sec)")),
                new Sample(OPS, require(o.operationsPerSecond(), "Total operations (... per second)")));
    }
}
