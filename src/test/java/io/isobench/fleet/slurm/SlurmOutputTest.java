package io.isobench.fleet.slurm;

import io.isobench.fleet.FleetJob;
import io.isobench.fleet.JobOutput;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a node's batch job writes its output, and the tail that fleet status shows of it. */
class SlurmOutputTest {
    @TempDir
    Path dir;

    @Test
    void theJobsOutputFileIsPerFleetAndNodeAndItsTailIsRead() throws Exception {
        SlurmEngine e = new SlurmEngine(List.of("isobench"), Map.of(), dir);
        FleetJob job = new FleetJob("f9", List.of(), "postgresql://u@h/db", Duration.ofMinutes(5));
        assertThat(SlurmBatch.sbatchArgv(job, "n1", Map.of(), dir)).contains("--output=" + dir.resolve("f9/n1.out"));
        assertThat(e.render(job, new io.isobench.fleet.FleetNode("n1", true, null))).contains("--output=" + dir.resolve("f9/n1.out"));
        assertThat(e.output("f9", "n1", "17")).as("no file yet").isNull();

        Files.createDirectories(dir.resolve("f9"));
        StringBuilder sb = new StringBuilder("x".repeat(100_000)).append('\n'); // more than the tail that is read
        for (int i = 1; i <= 25; i++) {
            sb.append("out ").append(i).append('\n');
        }
        sb.append("/usr/local/bin/isobench: 1: exec: java: not found\n\n");
        Files.writeString(dir.resolve("f9/n1.out"), sb);
        JobOutput o = e.output("f9", "n1", "17");
        assertThat(o.source()).isEqualTo(dir.resolve("f9/n1.out").toString());
        assertThat(o.lines()).hasSize(JobOutput.LINES).startsWith("out 7").endsWith("/usr/local/bin/isobench: 1: exec: java: not found");
        assertThat(JobOutput.split("the job failed\n" + o.block())).isEqualTo(new JobOutput.Reason("the job failed", o));
        assertThat(JobOutput.split("the job failed")).isEqualTo(new JobOutput.Reason("the job failed", null));
    }

    @Test
    void theDefaultIsUnderTheUsersHomeAndSlurmPatternsAreRefused() {
        assertThat(SlurmEngine.defaultOutputDir(Map.of("HOME", "/home/ann"))).isEqualTo(Path.of("/home/ann/.local/share/isobench/fleet"));
        assertThat(SlurmEngine.defaultOutputDir(Map.of("HOME", "/home/ann", "XDG_DATA_HOME", "/data/ann")))
                .isEqualTo(Path.of("/data/ann/isobench/fleet"));
        assertThatThrownBy(() -> new SlurmEngine(List.of("isobench"), Map.of(), Path.of("/shared/%u")))
                .isInstanceOf(UserException.class).hasMessageContaining("--job-output");
    }
}
