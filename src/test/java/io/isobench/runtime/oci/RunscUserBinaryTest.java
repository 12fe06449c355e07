package io.isobench.runtime.oci;

import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.util.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A user's own runsc named in the plan ({@code runsc.binary}): registered as runsc@<version>, recorded, validated. */
class RunscUserBinaryTest {
    @TempDir
    Path dir;

    @AfterEach
    void forget() {
        RunscDriver.forgetUserBinary();
    }

    /** An executable that answers --version as runsc 20250101 does. */
    private Path fakeRunsc(String name, String versionLine) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho '" + versionLine + "'\necho 'spec: 1.2.1'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void planKeyAddsTheRunscAndIsStoredWithThePlan() throws IOException {
        Path runsc = fakeRunsc("my-runsc", "runsc version release-20250101.0");
        Path planFile = dir.resolve("plan.yaml");
        // runtimes come first in the file, yet may name the runsc@<version> that runsc.binary adds
        Files.writeString(planFile, "runtimes: [native, runsc@20250101-systrap]\nrunsc:\n  binary: " + runsc + "\n");
        Plan plan = new PlanLoader().file(planFile).build();
        assertThat(plan.runtimes()).containsExactly("native", "runsc@20250101-systrap");
        assertThat(plan.runscBinary()).isEqualTo(runsc.toString());
        assertThat(plan.toMap().get("runsc")).isEqualTo(Map.of("binary", runsc.toString()));
        RunscDriver d = (RunscDriver) RunscDriver.variants().stream().filter(x -> x.id().equals("runsc@20250101")).findFirst().orElseThrow();
        assertThat(d.description()).contains("release-20250101.0").contains("user (plan runsc.binary=" + runsc + ")");
        Map<String, Object> details = d.details();
        assertThat(details).containsEntry("runsc_version", "release-20250101.0").containsEntry("runsc_path", runsc.toString())
                .containsEntry("runsc_source", "user (plan runsc.binary=" + runsc + ")");
        assertThat((String) details.get("runsc_sha256")).hasSize(64).isEqualTo(RunscBinary.sha256(runsc));
        RuntimeDriver.Build b = d.build(details);
        assertThat(b.what()).isEqualTo("gVisor");
        assertThat(b.display()).isEqualTo("release-20250101.0, sha256 " + RunscBinary.sha256(runsc).substring(0, 12));

        // a resumed run gets it back from the stored plan
        RunscDriver.forgetUserBinary();
        Plan again = PlanLoader.stored(plan.toMap());
        assertThat(again.runscBinary()).isEqualTo(runsc.toString());
        assertThat(again.runtimes()).containsExactly("native", "runsc@20250101-systrap");
    }

    @Test
    void somethingElseIsAUsageError() throws IOException {
        Path notRunsc = fakeRunsc("ls", "ls (GNU coreutils) 9.1");
        assertThatThrownBy(() -> new PlanLoader().top("runsc.binary", notRunsc.toString(), "plan.yaml"))
                .isInstanceOf(UserException.class).hasMessageContaining("is not runsc");
        assertThatThrownBy(() -> new PlanLoader().top("runsc.binary", dir.resolve("missing").toString(), "--runsc-binary"))
                .isInstanceOf(UserException.class).hasMessageContaining("is not an executable file");
        Path plain = dir.resolve("plain");
        Files.writeString(plain, "x");
        assertThatThrownBy(() -> new PlanLoader().top("runsc.binary", plain.toString(), "plan.yaml"))
                .isInstanceOf(UserException.class).hasMessageContaining("is not an executable file");
        assertThatThrownBy(() -> new PlanLoader().top("runsc.path", "/x", "plan.yaml")).isInstanceOf(UserException.class);
    }
}
