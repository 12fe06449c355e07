package io.isobench.report;

import io.isobench.store.StoredRun;

import java.util.List;
import java.util.Map;

/** network (iperf3, round trips): no section of its own (the generic results chart it), a note on the network path. */
final class NetworkView implements ReportView {
    static final String BENCH = "network";

    @Override
    public String title() {
        return "Network";
    }

    @Override
    public Map<String, List<String>> metrics() {
        return Map.of(BENCH, List.of());
    }

    @Override
    public List<String> notes(ReportRun r) {
        if (r.of(BENCH).isEmpty()) {
            return List.of();
        }
        StringBuilder n = new StringBuilder("network: client on the host, server in the sandbox, over each runtime's "
                + "own network path (every trial's raw output starts with it and the CPU placement)");
        for (StoredRun.RuntimeRow rt : r.run().runtimes()) {
            if (rt.available() && rt.details().get("network_with_ports") != null) {
                n.append("; ").append(rt.runtime()).append(": ").append(rt.details().get("network_with_ports"));
            }
        }
        return List.of(n.append('.').toString());
    }
}
