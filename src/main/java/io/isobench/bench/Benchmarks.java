package io.isobench.bench;

import java.util.List;
import java.util.Optional;

/** The registry of benchmarks, in the order a run measures them. */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static List<Benchmark> all() {
        return List.of(new CpuBenchmark(), new MemoryBenchmark(), new SyscallBenchmark(), new SyscallSurfaceBenchmark(),
                new StartupBenchmark(), new FootprintBenchmark(), new DiskBenchmark(), new DiskDdBenchmark(),
                new DiskFileioBenchmark(), new NetworkBenchmark(), new NginxBenchmark(), new RedisBenchmark(),
                new MysqlBenchmark());
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
