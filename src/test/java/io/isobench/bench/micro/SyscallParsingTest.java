package io.isobench.bench.micro;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsers of the syscall benchmarks, on output captured from real runs (fixtures/syscall, fixtures/strace). */
class SyscallParsingTest {
    private static Params call(String c) {
        return new Params(Map.of("call", c, "time", "1s"));
    }

    private static double nsPerCall(String fixture, String c) throws Exception {
        List<Sample> s = new SyscallBenchmark().parse(TestFixtures.read(fixture), call(c));
        assertThat(s).singleElement().satisfies(x -> assertThat(x.metric()).isEqualTo(SyscallBenchmark.NS_PER_CALL));
        return s.get(0).value();
    }

    @Test
    void getpidPerRuntime() throws Exception {
        assertThat(nsPerCall("syscall/getpid-native.txt", "getpid")).isEqualTo(267.65);
        assertThat(nsPerCall("syscall/getpid-runc.txt", "getpid")).isEqualTo(217.60);
        assertThat(nsPerCall("syscall/getpid-bwrap.txt", "getpid")).isEqualTo(220.12);
        // gVisor (ptrace platform): every call is a round trip through the Sentry
        assertThat(nsPerCall("syscall/getpid-runsc.txt", "getpid")).isEqualTo(18837.42);
    }

    @Test
    void allCallsInOneOutput() throws Exception {
        Map<String, Double> m = SyscallBenchmark.parseNsPerCall(TestFixtures.read("syscall/probe-all-under-strace-runc.txt"));
        assertThat(m).containsOnlyKeys(SyscallBenchmark.CALLS);
        assertThat(nsPerCall("syscall/probe-all-under-strace-native.txt", "stat")).isEqualTo(17875.63);
        // clock_gettime is served by the vDSO: strace never sees it, so it stays cheap under tracing
        assertThat(m.get("clock_gettime")).isLessThan(100).isLessThan(m.get("getpid") / 100);
    }

    @Test
    void missingCallOrErrorOutputIsAParseError() {
        assertThatThrownBy(() -> new SyscallBenchmark().parse(TestFixtures.read("syscall/getpid-native.txt"), call("stat")))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("call=stat");
        assertThatThrownBy(() -> new SyscallBenchmark().parse(TestFixtures.read("syscall/unknown-call.txt"), call("getpid")))
                .isInstanceOf(CommandBenchmark.ParseException.class);
    }

    @Test
    void oneCasePerCallByDefault() {
        SyscallBenchmark b = new SyscallBenchmark();
        Params p = new Params(Map.of("call", "getpid,clock_gettime,open_close,read_devzero,stat", "time", "2s"));
        assertThat(b.cases(p)).extracting(c -> c.get("call")).containsExactlyElementsOf(SyscallBenchmark.CALLS);
        assertThat(b.params()).filteredOn(s -> s.name().equals("call")).singleElement()
                .satisfies(s -> assertThat(s.defaultValue()).isEqualTo(String.join(",", SyscallBenchmark.CALLS)));
    }

    @Test
    void straceSummaryNative() throws Exception {
        Map<String, Long> m = StraceSummary.parse(TestFixtures.read("strace/summary-native.txt"));
        assertThat(m).hasSize(16).containsEntry("getpid", 13248L).containsEntry("execve", 1L).doesNotContainKey("total");
        assertThat(StraceSummary.names(m)).isSorted();
    }

    @Test
    void straceSummaryRuncWithErrorsColumn() throws Exception {
        Map<String, Long> m = StraceSummary.parse(TestFixtures.read("strace/summary-runc.txt"));
        assertThat(m).hasSize(92).containsEntry("futex", 267L).containsKeys("pivot_root", "mount", "clone3");
    }

    @Test
    void straceSummaryInsideAFailedTrialStillParses() throws Exception {
        // the raw output of runsc's failed trial under strace -f: the table of what ran before the failure
        String raw = TestFixtures.read("strace/runsc-under-strace-failure.txt");
        assertThat(StraceSummary.parse(raw)).containsKeys("futex", "wait4");
    }

    @Test
    void noTableIsAParseError() {
        assertThatThrownBy(() -> StraceSummary.parse("strace: exec: No such file or directory\n"))
                .isInstanceOf(CommandBenchmark.ParseException.class).hasMessageContaining("summary");
    }
}
