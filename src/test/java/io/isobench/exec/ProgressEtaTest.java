package io.isobench.exec;

import io.isobench.bench.micro.CpuBenchmark;
import io.isobench.bench.disk.DiskFioBenchmark;
import io.isobench.bench.fleet.StartupBenchmark;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.host.NativeDriver;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress and dry runs weigh trials by their expected seconds, not by their count. */
class ProgressEtaTest {
    private static final long S = 1_000_000_000L;

    @Test
    void etaIsThePlannedSecondsLeftScaledByHowTheRunKeepsToItsPlan() {
        // one 60 s trial and ten 1 s trials: after the long one, most of the work is done
        Progress.Eta eta = new Progress.Eta(11, Duration.ofSeconds(70), 0);
        assertThat(eta.remainingSeconds(0)).isEqualTo(70.0);
        eta.done(Duration.ofSeconds(60));
        assertThat(eta.remainingSeconds(60 * S)).isEqualTo(10.0);
        // the run goes twice as slow as planned: the rest is expected to as well
        assertThat(eta.remainingSeconds(120 * S)).isEqualTo(20.0);
        assertThat(eta.prefix(120 * S)).isEqualTo("[1/11, ETA 20 s]");
        // a skipped trial is done at no cost, an adaptive stop drops trials from the total
        eta.skipped(Duration.ofSeconds(1));
        eta.dropped(4, Duration.ofSeconds(4));
        assertThat(eta.prefix(60 * S)).isEqualTo("[2/7, ETA 5 s]");
    }

    @Test
    void nonTerminalLinesCarryTrialsAndEta() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (Progress p = Progress.create(3, Duration.ofSeconds(3600), false, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            p.trialDone("native cpu rep 1/3: events_per_second=1000 events/s", Duration.ofSeconds(1200));
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).matches(
                "\\[1/3, ETA [0-9]+ (s|min [0-9]+ s|h [0-9]+ min)] native cpu rep 1/3: events_per_second=1000 events/s\\R");
    }

    @Test
    void estimateIsPerCaseFromEachTrialsExpectedSeconds() {
        var plan = new PlanLoader().top("benchmarks", "cpu,disk-fio", "t").top("repetitions", "2", "t").top("warmups", "1", "t").top("cooldown", "0s", "t")
                .set("cpu.time=2s", "t").set("disk-fio.time=5s", "t").set("disk-fio.size=64M", "t")
                .set("disk-fio.pattern=read", "t").set("disk-fio.block=4K,128K", "t").build();
        Executor e = new Executor(null, plan, List.of(new NativeDriver()),
                List.of(new CpuBenchmark(), new DiskFioBenchmark()), null);
        List<Executor.CaseEstimate> cases = e.estimate();
        assertThat(cases).extracting(Executor.CaseEstimate::benchmark).containsExactly("cpu", "disk-fio", "disk-fio");
        assertThat(cases).extracting(Executor.CaseEstimate::trials).containsExactly(3L, 3L, 3L);
        // cpu: 3 x (2 s + 0.5 s launch); disk-fio: 3 x (5 s + 5 s + 64M/32M = 2 s layout + 0.5 s launch)
        assertThat(cases.get(0).duration()).isEqualTo(Duration.ofMillis(7500));
        assertThat(cases.get(1).duration()).isEqualTo(Duration.ofMillis(37500));
        assertThat(e.expectedDuration()).isEqualTo(Duration.ofMillis(7500 + 2 * 37500));
        assertThat(e.totalTrials()).isEqualTo(9);
    }

    @Test
    void adaptiveCasesAreMarkedAndCountedAtTheirMaximum() {
        var plan = new PlanLoader().top("benchmarks", "cpu,startup", "t").top("repetitions", "auto:7", "t").top("warmups", "0", "t").build();
        Executor e = new Executor(null, plan, List.of(new NativeDriver()), List.of(new CpuBenchmark(),
                new StartupBenchmark()), null);
        Executor.CaseEstimate cpu = e.estimate().get(0);
        assertThat(cpu.adaptive()).isTrue();
        assertThat(cpu.repetitions()).isEqualTo(7);
        assertThat(e.estimate().stream().filter(c -> c.benchmark().equals("startup")).allMatch(c -> !c.adaptive())).isTrue();
    }
}
