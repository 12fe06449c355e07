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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * fio on the runtime's own storage path (the scratch storage each driver provides: a bind-mounted host directory,
 * gVisor's gofer, a VM's virtio-blk disk): random and sequential read and write, one case per pattern and block
 * size, psync engine, one job, time-based. Direct I/O when asked for (default); when fio refuses O_DIRECT on that
 * file system, the trial is rerun buffered and the raw output says {@code direct=0 (O_DIRECT not supported here)}.
 */
public final class DiskFioBenchmark implements Benchmark {
    public static final Metric READ_MIB = new Metric("read_mib_per_s", "MiB/s", true);
    public static final Metric WRITE_MIB = new Metric("write_mib_per_s", "MiB/s", true);
    public static final Metric IOPS = new Metric("iops", "ops/s", true);
    public static final Metric CLAT_P50 = new Metric("clat_p50_us", "us", false);
    public static final Metric CLAT_P99 = new Metric("clat_p99_us", "us", false);
    static final String DIRECT_MARKER = "isobench-direct:";

    @Override
    public String id() {
        return "disk-fio";
    }

    @Override
    public String description() {
        return "fio (JSON) random/sequential read and write on the runtime's own storage, direct I/O where allowed";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("pattern", "randread,randwrite,read,write", true, "fio --rw, one case each",
                        "randread", "randwrite", "read", "write"),
                ParamSpec.of("block", "4K,128K", ParamSpec.Type.SIZE_LIST, "fio --bs, one case each"),
                ParamSpec.of("size", "256M", ParamSpec.Type.SIZE, "test file size (fio --size)"),
                ParamSpec.of("time", "5s", ParamSpec.Type.DURATION, "duration of one trial (fio --runtime, time-based)"),
                ParamSpec.choice("direct", "1", false, "1: O_DIRECT where the file system allows it (else buffered, "
                        + "recorded); 0: buffered", "1", "0"));
    }

    @Override
    public Set<String> tools() {
        return Set.of("fio");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(READ_MIB, WRITE_MIB, IOPS, CLAT_P50, CLAT_P99);
    }

    @Override
    public List<Params> cases(Params resolved) {
        List<Params> cases = new ArrayList<>();
        for (String pattern : resolved.getList("pattern")) {
            for (String block : resolved.getList("block")) {
                cases.add(resolved.with("pattern", pattern).with("block", block));
            }
        }
        return cases;
    }

    @Override
    public Duration expectedDuration(Params p) {
        // fio lays the file out first; 32 MiB/s is slow storage or an emulated VM
        return p.getDuration("time").plusSeconds(5 + DiskTrial.size(p, "size") / (32L << 20));
    }

    static String script(String fio, Params p) {
        String run = fio + " --name=disk --filename=\"$S/fio.dat\" --size=" + p.get("size") + " --rw=" + p.get("pattern")
                + " --bs=" + p.get("block") + " --ioengine=psync --thread --numjobs=1 --time_based --runtime="
                + Sysbench.seconds(p.getDuration("time")) + " --output-format=json";
        String head = """
                S="$ISOBENCH_SCRATCH"
                if [ -z "$S" ] || [ ! -d "$S" ]; then echo "isobench: no scratch directory (ISOBENCH_SCRATCH)" >&2; exit 2; fi
                """;
        if (p.get("direct").equals("0")) {
            return head + "echo '" + DIRECT_MARKER + " 0 (direct=0 requested)'\nexec " + run + " --direct=0\n";
        }
        return head + """
                if %1$s --direct=1 >"$S/.fio.out" 2>"$S/.fio.err"; then
                  echo '%2$s 1'; cat "$S/.fio.out"; cat "$S/.fio.err" >&2; exit 0
                fi
                if ! grep -qi -e 'direct' -e 'invalid argument' "$S/.fio.err"; then
                  cat "$S/.fio.out"; cat "$S/.fio.err" >&2; exit 1
                fi
                echo "%2$s 0 (O_DIRECT not supported here: $(grep -i -m1 -e direct -e 'invalid argument' "$S/.fio.err" | head -c 200))"
                rm -f "$S/fio.dat"
                exec %1$s --direct=0
                """.formatted(run, DIRECT_MARKER);
    }

    @Override
    public TrialOutcome run(TrialContext ctx) throws TrialFailure {
        Params p = ctx.params();
        DiskTrial.Result r = DiskTrial.run(ctx, script(ctx.image().tools().get("fio"), p), DiskTrial.size(p, "size"));
        return DiskTrial.outcome(r, out -> parse(out, p));
    }

    static List<Sample> parse(String stdout, Params p) throws CommandBenchmark.ParseException {
        boolean read = p.get("pattern").contains("read");
        FioOutput.Direction d = new FioOutput(stdout).direction(read ? "read" : "write");
        return List.of(
                new Sample(read ? READ_MIB : WRITE_MIB, d.bytesPerSecond() / (1 << 20)),
                new Sample(IOPS, d.iops()),
                new Sample(CLAT_P50, d.clatP50Ns() / 1000.0),
                new Sample(CLAT_P99, d.clatP99Ns() / 1000.0));
    }

    @Override
    public boolean runByDefault() {
        return false;
    }
}
