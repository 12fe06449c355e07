package io.isobench.bench;

import java.util.List;
import java.util.Optional;

/** The registry of benchmarks, in the order a run measures them. */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static List<Benchmark> all() {
        return List.of(new CpuBenchmark(), new MemoryBenchmark(), new SyscallBenchmark(), new SyscallSurfaceBenchmark());
    }

    /** What a run measures when no benchmarks are named; the others are opt-in with --benchmarks. */
    public static List<String> defaultIds() {
        return List.of("cpu", "memory");
    }

    public static Optional<Benchmark> byId(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return all().stream().map(Benchmark::id).toList();
    }
}
