package io.isobench.bench.registry;

import io.isobench.bench.Benchmark;
import io.isobench.bench.disk.DiskDdBenchmark;
import io.isobench.bench.disk.DiskFileioBenchmark;
import io.isobench.bench.disk.DiskFioBenchmark;
import io.isobench.bench.fleet.DensityBenchmark;
import io.isobench.bench.fleet.FootprintBenchmark;
import io.isobench.bench.fleet.LoadProfileBenchmark;
import io.isobench.bench.fleet.StartupBenchmark;
import io.isobench.bench.micro.CpuBenchmark;
import io.isobench.bench.micro.MlBenchmark;
import io.isobench.bench.micro.MemoryBenchmark;
import io.isobench.bench.micro.SyscallBenchmark;
import io.isobench.bench.micro.SyscallSurfaceBenchmark;
import io.isobench.bench.server.MysqlBenchmark;
import io.isobench.bench.server.NetworkBenchmark;
import io.isobench.bench.server.NginxBenchmark;
import io.isobench.bench.server.RedisBenchmark;
import java.util.List;
import java.util.Optional;

/** The registry of benchmarks, in the order a run measures them. */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static List<Benchmark> all() {
        return List.of(new CpuBenchmark(), new MemoryBenchmark(), new SyscallBenchmark(), new SyscallSurfaceBenchmark(),
                new StartupBenchmark(), new FootprintBenchmark(), new DensityBenchmark(), new LoadProfileBenchmark(), new DiskFioBenchmark(),
                new DiskDdBenchmark(), new DiskFileioBenchmark(), new NetworkBenchmark(), new NginxBenchmark(),
                new RedisBenchmark(), new MysqlBenchmark(), new MlBenchmark());
    }

    /**
     * Names that stand for several benchmarks, in --benchmarks and in {@code --set NAME.key=value} (which then sets
     * the key in every member that has it): {@code disk} is the papers' whole storage comparison.
     */
    public static java.util.Map<String, List<String>> groups() {
        return java.util.Map.of("disk", List.of("disk-fio", "disk-dd", "disk-fileio"));
    }

    public static Optional<Benchmark> byId(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** What a plain `run` measures when no benchmarks are given (cpu, memory; not the slow startup/footprint). */
    public static List<String> defaultIds() {
        return all().stream().filter(Benchmark::runByDefault).map(Benchmark::id).toList();
    }

    public static List<String> ids() {
        return all().stream().map(Benchmark::id).toList();
    }
}
