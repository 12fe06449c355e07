package io.isobench.report;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run with network results says, in its fairness notes, where client and server ran and gVisor's network stack. */
class NetworkNoteTest {
    @Test
    void networkPlacementAndRunscStackAreNoted() {
        StoredRun base = ReportFixtures.run();
        assertThat(ReportRun.of(base).fairnessNotes()).noneMatch(n -> n.startsWith("network:"));
        List<StoredRun.SampleRow> s = new ArrayList<>(base.samples());
        for (String rt : List.of("native", "runsc")) {
            for (int rep = 1; rep <= 5; rep++) {
                s.add(new StoredRun.SampleRow("network", "{\"direction\":\"round-trip\"}", rt, rep, false, "rtt_p50_us", "us",
                        false, rt.equals("native") ? 14 + rep : 120 + rep));
            }
        }
        List<StoredRun.RuntimeRow> runtimes = new ArrayList<>();
        for (StoredRun.RuntimeRow r : base.runtimes()) {
            runtimes.add(r.runtime().equals("runsc") ? new StoredRun.RuntimeRow("runsc", "sandbox", true, "20221219", null,
                    Map.of("platform", "ptrace", "network_with_ports", "hostinet (--network=host: host kernel TCP/IP)")) : r);
        }
        List<String> notes = ReportRun.of(new StoredRun(base.header(), runtimes, s, base.failures(), base.stops()))
                .fairnessNotes();
        assertThat(notes).filteredOn(n -> n.startsWith("network:")).singleElement().satisfies(n -> assertThat(n)
                .contains("client on the host, server in the sandbox")
                .contains("runsc: hostinet (--network=host: host kernel TCP/IP)"));
    }
}
