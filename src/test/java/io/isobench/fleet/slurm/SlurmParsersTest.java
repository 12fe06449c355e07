package io.isobench.fleet.slurm;

import io.isobench.fleet.NodeJobState;
import io.isobench.fleet.NodeJobState.Phase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** scontrol, squeue and sacct output as Slurm 22.05 printed it (fixtures/slurm/COMMANDS.md). */
class SlurmParsersTest {
    private static String fixture(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/fixtures/slurm", name));
    }

    @Test
    void scontrolNodesWithADrainedOne() throws IOException {
        List<SlurmNodes.Node> nodes = SlurmNodes.parse(fixture("scontrol-show-node.txt"));
        assertThat(nodes).extracting(SlurmNodes.Node::name, SlurmNodes.Node::state, SlurmNodes.Node::schedulable)
                .containsExactly(tuple("isb-n1", "IDLE", true), tuple("isb-n2", "IDLE+DRAIN", false));
        assertThat(nodes.get(0).partitions()).containsExactly("isobench");
        assertThat(nodes.get(0).features()).isEmpty();
        assertThat(nodes.get(0).reason()).isNull();
        assertThat(nodes.get(1).unusable())
                .isEqualTo("state IDLE+DRAIN (disk check (ticket 42) (set by root at 2026-12-02T23:52:20))");
    }

    @Test
    void scontrolValuesWithSpacesStayWhole() {
        var f = SlurmNodes.fields("NodeName=a OS=Linux 6.1 #1 SMP State=DOWN+NOT_RESPONDING Reason=Not responding [slurm@2026-01-01T00:00:00]");
        assertThat(f).containsEntry("OS", "Linux 6.1 #1 SMP").containsEntry("Reason", "Not responding [slurm@2026-01-01T00:00:00]");
        assertThat(SlurmNodes.parse("NodeName=a State=MIXED Partitions=p,q ActiveFeatures=ssd,avx512\n").get(0))
                .satisfies(n -> {
                    assertThat(n.schedulable()).isTrue();
                    assertThat(n.partitions()).containsExactly("p", "q");
                    assertThat(n.features()).containsExactly("ssd", "avx512");
                });
        assertThat(SlurmNodes.parse("NodeName=b State=IDLE*\n").get(0).schedulable()).as("* = not responding").isFalse();
        assertThat(SlurmNodes.parse("NodeName=c State=DOWN\n").get(0).schedulable()).isFalse();
    }

    @Test
    void squeuePendingRunningCompleted() throws IOException {
        List<NodeJobState> jobs = SlurmJobs.parseSqueue(fixture("squeue-states.txt"));
        assertThat(jobs).extracting(NodeJobState::jobName, NodeJobState::node, NodeJobState::phase, NodeJobState::reason)
                .containsExactly(
                        tuple("7", "isb-n2", Phase.SUCCEEDED, null),
                        tuple("6", "isb-n1", Phase.PENDING, "waiting for Resources"),
                        tuple("5", "isb-n1", Phase.RUNNING, null),
                        tuple("8", "isb-n2", Phase.RUNNING, null));
    }

    @Test
    void squeueFailuresCarrySlurmsReason() throws IOException {
        assertThat(SlurmJobs.parseSqueue(fixture("squeue-after-cancel.txt")))
                .extracting(NodeJobState::jobName, NodeJobState::phase, NodeJobState::reason)
                .containsExactly(
                        tuple("15", Phase.FAILED, "Slurm job 15 CANCELLED"),
                        tuple("16", Phase.FAILED, "Slurm job 16 CANCELLED (Resources)"),
                        tuple("14", Phase.FAILED, "Slurm job 14 FAILED (NonZeroExitCode)"));
        assertThat(SlurmJobs.parseSqueue(fixture("squeue-finished.txt")))
                .extracting(NodeJobState::jobName, NodeJobState::phase, NodeJobState::reason)
                .contains(tuple("8", Phase.FAILED, "Slurm job 8 TIMEOUT (TimeLimit)"), tuple("5", Phase.SUCCEEDED, null));
    }

    @Test
    void aJobRequeuedBecauseItsNodeWentDownHasFailed() throws IOException {
        assertThat(SlurmJobs.parseSqueue(fixture("squeue-requeued-node-down.txt"))).singleElement().satisfies(j -> {
            assertThat(j.phase()).isEqualTo(Phase.FAILED);
            assertThat(j.node()).isEqualTo("isb-n2");
            assertThat(j.reason()).isEqualTo("Slurm job 13 waits for its node, which is unavailable "
                    + "(ReqNodeNotAvail, UnavailableNodes:isb-n2)");
        });
        assertThat(SlurmNodes.parse(fixture("scontrol-show-node-down.txt"))).filteredOn(n -> n.name().equals("isb-n2"))
                .singleElement().satisfies(n -> assertThat(n.unusable()).isEqualTo(
                        "state DOWN+NOT_RESPONDING (Not responding (set by root at 2026-12-03T00:04:42))"));
    }

    @Test
    void sbatchAnswers() throws Exception {
        assertThat(SlurmEngine.jobId(new io.isobench.proc.ProcResult(List.of("sbatch"), 0, false, "812\n", "", java.time.Duration.ZERO), "n1"))
                .isEqualTo("812");
        assertThat(SlurmEngine.jobId(new io.isobench.proc.ProcResult(List.of("sbatch"), 0, false, "813;cluster2\n", "", java.time.Duration.ZERO), "n1"))
                .isEqualTo("813");
        String refused = fixture("sbatch-unknown-node.txt").lines().findFirst().orElseThrow();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SlurmEngine.jobId(new io.isobench.proc.ProcResult(
                        List.of("sbatch"), 1, false, "", refused + "\n", java.time.Duration.ZERO), "nope"))
                .isInstanceOf(io.isobench.fleet.FleetException.class)
                .hasMessage("sbatch refused the job for node nope: exit code 1: sbatch: error: Batch job submission failed: "
                        + "Invalid node name specified");
    }

    @Test
    void sacctLinesSkipStepsAndKeepTheExitCode() {
        // sacct -n -P -X --format=JobID,State,NodeList,ExitCode,Reason, in sacct's documented -P layout: this
        // machine's test cluster keeps no accounting (fixtures/slurm/sacct-disabled.txt), so the lines are written here
        String out = "41|COMPLETED|n1|0:0|None\n42|CANCELLED by 0|n2|0:15|None\n42.batch|CANCELLED|n2|0:15|\n"
                + "43|NODE_FAIL|n3|1:0|None\n44|PENDING|None assigned|0:0|Resources\n";
        assertThat(SlurmJobs.parseSacct(out)).extracting(NodeJobState::jobName, NodeJobState::node, NodeJobState::phase,
                NodeJobState::reason).containsExactly(
                tuple("41", "n1", Phase.SUCCEEDED, null),
                tuple("42", "n2", Phase.FAILED, "Slurm job 42 CANCELLED, exit code 0:15"),
                tuple("43", "n3", Phase.FAILED, "Slurm job 43 NODE_FAIL, exit code 1:0"),
                tuple("44", "", Phase.PENDING, "waiting for Resources"));
    }
}
