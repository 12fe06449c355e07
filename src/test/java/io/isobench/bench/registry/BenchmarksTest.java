package io.isobench.bench.registry;

import io.isobench.bench.Benchmark;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarksTest {
    @Test
    void everyBenchmarkClassIsNamedAfterItsId() {
        for (Benchmark b : Benchmarks.all()) {
            assertThat(b.getClass().getSimpleName()).as(b.id()).isEqualTo(className(b.id()));
        }
    }

    @Test
    void classNameCapitalizesEachPartOfTheId() {
        assertThat(className("disk-fio")).isEqualTo("DiskFioBenchmark");
        assertThat(className("syscall-surface")).isEqualTo("SyscallSurfaceBenchmark");
    }

    @Test
    void idsAreUniqueAndGroupsNameOnlyRegisteredBenchmarks() {
        assertThat(Benchmarks.ids()).doesNotHaveDuplicates();
        Benchmarks.groups().values().forEach(members -> assertThat(Benchmarks.ids()).containsAll(members));
    }

    /** {@code disk-fio} -> {@code DiskFioBenchmark}. */
    static String className(String id) {
        return Arrays.stream(id.split("-")).map(p -> Character.toUpperCase(p.charAt(0)) + p.substring(1))
                .collect(Collectors.joining()) + "Benchmark";
    }
}
