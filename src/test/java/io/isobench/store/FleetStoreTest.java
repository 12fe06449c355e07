package io.isobench.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fleets in the store: recorded nodes, runs tagged with their fleet, cancel's marking, and push carrying the fleet. */
class FleetStoreTest {
    @TempDir
    Path dir;

    private final TestStores stores = new TestStores();

    @AfterEach
    void drop() {
        stores.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aFleetItsRunsAndTheirProgress(String kind) {
        try (Store s = Stores.open(stores.fresh(kind, dir), Stores.Mode.CREATE)) {
            s.createFleet("f1", "slurm", Instant.parse("2026-12-03T00:00:00Z"), "login1", "parallel",
                    List.of("run", "--fleet", "f1", "--db", "postgresql://u@h/db"), List.of("n1", "n2"));
            s.createRun("r1", Instant.parse("2026-12-03T00:01:00Z"), "t", Map.of("hostname", "n1"), Map.of(), Map.of());
            s.createRun("r2", Instant.parse("2026-12-03T00:02:00Z"), "t", Map.of("hostname", "host-b"), Map.of(), Map.of());
            s.createRun("solo", Instant.parse("2026-12-03T00:03:00Z"), "t", Map.of("hostname", "n1"), Map.of(), Map.of());
            s.tagFleet("r1", "f1", "n1");
            s.tagFleet("r2", "f1", "n2");
            s.setTrialsPlanned("r1", 8);
            s.finishRun("r1", "completed", 1, 1);
            s.updateFleetNode("f1", "n1", "101", "running", null);
            s.updateFleetNode("f1", "n1", null, "succeeded", null);

            assertThat(s.listRuns(new Store.RunFilter(null, null, null, null, "f1"))).extracting(Store.RunRow::id,
                    Store.RunRow::fleetId).containsExactly(org.assertj.core.groups.Tuple.tuple("r2", "f1"),
                    org.assertj.core.groups.Tuple.tuple("r1", "f1"));
            assertThat(s.fleetOf("r2")).isEqualTo(new Store.FleetTag("f1", "n2"));
            assertThat(s.fleetOf("solo")).isNull();
            assertThat(s.fleetRuns("f1")).extracting(Store.FleetRunRow::runId, Store.FleetRunRow::node,
                    Store.FleetRunRow::status, Store.FleetRunRow::trialsPlanned).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("r1", "n1", "completed", 8L),
                    org.assertj.core.groups.Tuple.tuple("r2", "n2", "running", null));

            Store.FleetRow f = s.loadFleet("f");
            assertThat(f.engine()).isEqualTo("slurm");
            assertThat(f.agentArgs()).containsExactly("run", "--fleet", "f1", "--db", "postgresql://u@h/db");
            assertThat(f.nodes()).extracting(Store.FleetNodeRow::node, Store.FleetNodeRow::job, Store.FleetNodeRow::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("n1", "101", "succeeded"),
                            org.assertj.core.groups.Tuple.tuple("n2", null, "waiting"));

            assertThat(s.interruptFleetRuns("f1")).containsExactly("r2");
            assertThat(s.runState("r2").status()).isEqualTo("interrupted");
            assertThat(s.runState("r1").status()).isEqualTo("completed");
            s.finishFleet("f1", "cancelled");
            assertThat(s.loadFleet("latest").status()).isEqualTo("cancelled");
            assertThatThrownBy(() -> s.loadFleet("nope")).hasMessageContaining("no fleet 'nope'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void pushCarriesTheRunsFleetOnce(String kind) {
        try (Store from = Stores.open(dir.resolve("local.db").toString(), Stores.Mode.CREATE);
             Store to = Stores.open(stores.fresh(kind, dir), Stores.Mode.CREATE)) {
            from.createFleet("f2", "slurm", Instant.now(), "login1", "one-at-a-time", List.of("run"), List.of("a", "b"));
            for (String r : List.of("ra", "rb")) {
                from.createRun(r, Instant.now(), "t", Map.of("hostname", r), Map.of(), Map.of());
                from.tagFleet(r, "f2", r.substring(1));
                from.setTrialsPlanned(r, 4);
            }
            assertThat(from.pushRun("ra", to)).isEqualTo(Store.PushOutcome.COPIED);
            assertThat(from.pushRun("rb", to)).isEqualTo(Store.PushOutcome.COPIED); // the fleet is there already
            assertThat(from.pushRun("rb", to)).isEqualTo(Store.PushOutcome.UNCHANGED);
            assertThat(to.loadFleet("f2").nodes()).hasSize(2);
            assertThat(to.fleetRuns("f2")).extracting(Store.FleetRunRow::runId, Store.FleetRunRow::node,
                    Store.FleetRunRow::trialsPlanned).containsExactly(org.assertj.core.groups.Tuple.tuple("ra", "a", 4L),
                    org.assertj.core.groups.Tuple.tuple("rb", "b", 4L));
        }
    }
}
