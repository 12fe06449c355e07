package io.isobench.bench;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.isobench.bench.SysbenchOutput.require;

/**
 * sysbench memory: writes (or reads) blocks of memory for a fixed time, once per access mode (sequential
 * and random by default, as in the papers). Each access mode is its own case (param access_mode).
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
                ParamSpec.of("block_size", "1K", ParamSpec.Type.SIZE, "block size (--memory-block-size)"),
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
        return resolved.getList("access_mode").stream().map(m -> resolved.with("access_mode", m)).toList();
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
        return List.of(
                new Sample(THROUGHPUT, require(o.mibPerSecond(), "MiB transferred (... MiB/sec)")),
                new Sample(OPS, require(o.operationsPerSecond(), "Total operations (... per second)")));
    }
}
