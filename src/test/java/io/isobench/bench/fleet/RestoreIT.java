package io.isobench.bench.fleet;

import io.isobench.IntegrationSupport;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.bench.TrialFailure;
import io.isobench.bench.TrialOutcome;
import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real checkpoint and restore: runsc (its own checkpoint/restore, in the saved sandbox's network namespace) and
 * qemu-microvm (migration to a file, -incoming; TCG here, so one small VM); a restored instance answers with the saved
 * server's token and next count. runc says why it cannot (CRIU), and a restore case in it fails with that reason.
 * Other runtimes of the same families: {@code -Drestore.runsc=runsc@20240729}, {@code -Drestore.vm=qemu}.
 */
class RestoreIT {
    @TempDir
    static Path dir;
    static WorkloadImage image;
    static final Limits LIMITS = new Limits(1, 256L << 20);

    @BeforeAll
    static void setUp() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        image = new ImageBuilder(dir.resolve("images")).build(Set.of(), List.of(RestoreTrial.COUNTER_PROBE), true);
        assumeTrue(image.tools().containsKey("counter-probe"), "counter-probe not built: " + image.missingReasons());
    }

    private static RuntimeDriver probed(String id) {
        RuntimeDriver d = Runtimes.byId(id).orElseThrow();
        Availability a = d.probe(new ProbeContext(new ImageBuilder(dir.resolve("images")), LIMITS));
        assumeTrue(a.available(), id + " unavailable: " + a.reason());
        return d;
    }

    private static TrialOutcome restore(RuntimeDriver d, Duration timeout) throws Exception {
        String prefix = "isobench-it-restore-" + "-" + ProcessHandle.current().pid()
                + "-" + d.id().replaceAll("[^a-z0-9]", "");
        TrialOutcome o;
        try {
            o = RestoreTrial.run(new TrialContext(d, image, LIMITS, new Params(Map.of("mode", "restore")), timeout, prefix));
        } catch (TrialFailure f) {
            System.out.println(d.id() + " restore trial failed: " + f.getMessage() + "\n" + f.rawOutput());
            throw f;
        }
        System.out.println(d.id() + " restore trial:\n" + o.rawOutput() + o.samples());
        return o;
    }

    private static double value(TrialOutcome o, String metric) {
        return o.samples().stream().filter(s -> s.metric().name().equals(metric)).mapToDouble(Sample::value).findFirst()
                .orElseThrow();
    }

    @Test
    void runscRestoresAWarmedServerWithItsState() throws Exception {
        RuntimeDriver d = probed(System.getProperty("restore.runsc", "runsc"));
        assertThat(d.restoreUnsupported()).isNull();
        TrialOutcome o = restore(d, Duration.ofSeconds(60));
        assertThat(o.samples()).extracting(s -> s.metric().name()).containsExactly("restore_ms", "checkpoint_ms", "snapshot_mib");
        assertThat(value(o, "restore_ms")).isBetween(1.0, 60_000.0);
        assertThat(value(o, "snapshot_mib")).as("gVisor's checkpoint image").isGreaterThan(0.01);
        assertThat(o.rawOutput()).contains("served=" + (RestoreTrial.WARM_REQUESTS + 2)).contains("runsc checkpoint");
        IntegrationSupport.assertNothingLeft("isobench-it-restore-");
    }

    @Test
    void qemuMicrovmRestoresFromAMigrationFile() throws Exception {
        RuntimeDriver d = probed(System.getProperty("restore.vm", "qemu-microvm"));
        TrialOutcome o = restore(d, Duration.ofSeconds(240));
        assertThat(value(o, "restore_ms")).isPositive();
        assertThat(value(o, "snapshot_mib")).as("guest RAM in use and device state").isGreaterThan(1.0);
        assertThat(o.rawOutput()).contains("served=" + (RestoreTrial.WARM_REQUESTS + 2)).contains("migrate file:");
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("isobench-it-restore-")))
                .as("no QEMU left").isEmpty();
    }

    @Test
    void runcWithoutWorkingCriuSaysWhyAndTheCaseFailsWithThatReason() {
        RuntimeDriver d = probed("runc");
        String why = d.restoreUnsupported();
        assumeTrue(why != null, "criu check passes here: runc can restore");
        assertThat(why).contains("CRIU");
        assertThat(d.checkpointer()).isEmpty();
        assertThatThrownBy(() -> restore(d, Duration.ofSeconds(30))).isInstanceOf(TrialFailure.class)
                .hasMessageContaining("restore skipped").hasMessageContaining(why);
    }
}
