package io.isobench.bench;

import java.util.List;
import java.util.Optional;

/** The registry of benchmarks, in the order a run measures them. */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static List<Benchmark> all() {
        return List.of(new CpuBenchmark(), new MemoryBenchmark(), new DiskBenchmark(), new DiskDdBenchmark(),
                new DiskFileioBenchmark());
    }

    public static Optional<Benchmark> byId(String id) {
        return all().stream().filter(b -> b.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return all().stream().map(Benchmark::id).toList();
    }
}
