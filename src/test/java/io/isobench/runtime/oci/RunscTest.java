package io.isobench.runtime.oci;

import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** runsc versions and platforms as runtimes: parsing runsc's and apt's own output, ids, and the cache's checks. */
class RunscTest {
    private static String fixture(String name) throws IOException {
        try (var in = RunscTest.class.getResourceAsStream("/fixtures/runsc/" + name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes());
        }
    }

    @Test
    void aSentryPanicBecomesTheFailuresOutputAndReason(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("c.crash.log");
        Files.writeString(log, fixture("panic-log-systrap-20240729-ml.txt"));
        String report = RunscDriver.panicReport(log);
        assertThat(report).startsWith("--- runsc --panic-log (" + Files.size(log) + " bytes) ---\n")
                .contains("gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).assertTaskGoroutine");
        io.isobench.proc.ProcResult r = new io.isobench.proc.ProcResult(List.of("runsc"), 2, false, "", report,
                java.time.Duration.ZERO);
        assertThat(r.failureSummary()).isEqualTo("exit code 2: runsc: the gVisor sentry panicked: running on goroutine "
                + "47733141851424 (task goroutine for kernel.Task 0x2b69bd005508 is 0)");
        // a probe's trial container: the panic, not the report's header line
        assertThat(io.isobench.runtime.Trials.reason(r)).isEqualTo("panic: running on goroutine 47733141851424 (task "
                + "goroutine for kernel.Task 0x2b69bd005508 is 0) (exit code 2)");

        // one log shared by many containers (the engine's runsc entries): only what came after the launch
        String earlier = "panic: an earlier container's\n";
        Files.writeString(log, earlier + fixture("panic-log-systrap-20240729-ml.txt"));
        String shared = RunscDriver.panicReport(log, earlier.length(), "shared log");
        assertThat(shared).startsWith("--- shared log (" + (Files.size(log) - earlier.length()) + " bytes) ---\npanic: running")
                .doesNotContain("an earlier container's");
        assertThat(RunscDriver.panicReport(log, Files.size(log), "shared log")).isNull();
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, log);
        assertThat(RunscDriver.panicReport(link, 0, "a symlink")).isNull(); // read as root: never through a link

        Files.writeString(log, ""); // runsc creates the file on every run; empty: no crash
        assertThat(RunscDriver.panicReport(log)).isNull();
        assertThat(RunscDriver.panicReport(dir.resolve("absent"))).isNull();
        Files.writeString(log, "x".repeat(RunscDriver.PANIC_HEAD_BYTES + 10));
        assertThat(RunscDriver.panicReport(log)).contains("bytes, first " + RunscDriver.PANIC_HEAD_BYTES + " shown)");
    }

    @Test
    void platformsAndDefaultFromRunscFlags() throws IOException {
        RunscBinary.Platforms old = RunscBinary.parsePlatforms(fixture("flags-20221219.txt"));
        assertThat(old.names()).containsExactly("ptrace", "kvm");
        assertThat(old.defaultPlatform()).isEqualTo("ptrace");
        assertThat(old.has("systrap")).isFalse();
        RunscBinary.Platforms current = RunscBinary.parsePlatforms(fixture("flags-20240729.txt"));
        assertThat(current.names()).containsExactly("systrap", "ptrace", "kvm");
        assertThat(current.defaultPlatform()).isEqualTo("systrap");
        assertThat(RunscBinary.parsePlatforms("flag provided but not defined: -x").names()).isEmpty();
    }

    @Test
    void candidateFromAptCachePolicy() throws IOException {
        assertThat(RunscFetch.parseCandidate(fixture("apt-cache-policy-sid.txt"))).isEqualTo("0.0~20240729.0-7+b1");
        assertThat(RunscFetch.parseCandidate("runsc:\n  Installed: (none)\n  Candidate: (none)\n")).isNull();
        assertThat(RunscFetch.parseCandidate("")).isNull();
    }

    @Test
    void versionsBecomeLabelsAndCompareByReleaseDate() {
        assertThat(RunscBinary.shortVersion("0.0~20240729.0")).isEqualTo("20240729");
        assertThat(RunscBinary.shortVersion("release-20231009.0")).isEqualTo("20231009");
        assertThat(RunscBinary.shortVersion("weird version/1")).isEqualTo("weird-version-1");
        assertThat(RunscSetup.newer("0.0~20240729.0-7+b1", "0.0~20221219.0")).isTrue();
        assertThat(RunscSetup.newer("0.0~20221219.0-3", "0.0~20221219.0")).isFalse();
        assertThat(RunscSetup.newer("0.0~20221219.0-3", "0.0~20240729.0")).isFalse();
        assertThat(RunscFetch.dirName("0.0~20240729.0-7+b1")).isEqualTo("0.0_20240729.0-7+b1");
    }

    @Test
    void storedIdsOfTheFamilyResolveWithTheirPlatformCaveat() {
        for (String id : List.of("runsc", "runsc-systrap", "runsc@20240729", "runsc@20240729-ptrace")) {
            assertThat(Runtimes.forStoredId(id)).as(id).isPresent();
        }
        assertThat(RunscDriver.forStoredId("runc")).isEmpty();
        assertThat(Runtimes.caveats("runsc@20240729-systrap", Map.of("platform", "systrap", "runsc_version", "0.0~20240729.0")))
                .containsExactly("runsc@20240729-systrap used gVisor 0.0~20240729.0's systrap platform; system-call heavy results depend on it.");
        assertThat(RunscDriver.isRunsc("runsc@20240729-systrap-netstack")).isTrue();
        assertThat(RunscDriver.isRunsc("runc")).isFalse();
    }

    @Test
    void theRegistryHasEveryPlatformOfTheInstalledRunsc() {
        List<String> ids = Runtimes.known().stream().map(RuntimeDriver::id).toList();
        assertThat(ids).contains("runsc", "runsc-systrap", "runsc-ptrace", "runsc-kvm");
        // one id per (version, platform): no two runsc binaries share a label
        assertThat(ids).doesNotHaveDuplicates();
    }

    /** A cached runsc runs only when owned by this user, not group/world writable, and with its recorded sha256. */
    @Test
    void cachedRunscIsVerifiedBeforeItRuns(@TempDir Path tmp) throws IOException {
        Path cache = tmp.resolve("runsc");
        Path d = cache.resolve("0.0_20240729.0-7+b1");
        Files.createDirectories(d);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path exe = d.resolve("runsc");
        Files.writeString(exe, "#!/bin/sh\necho 'runsc version 0.0~20240729.0'\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        String sha = RunscBinary.sha256(exe);
        Files.writeString(d.resolve("RECORD"), "version=0.0~20240729.0\npackage=runsc\npackage_version=0.0~20240729.0-7+b1\n"
                + "suite=sid\nsha256=" + sha + "\n");

        List<RunscFetch.Cached> ok = new RunscFetch(cache).cached();
        assertThat(ok).singleElement().satisfies(c -> {
            assertThat(c.problem()).isNull();
            assertThat(c.binary()).get().satisfies(b -> {
                assertThat(b.label()).isEqualTo("runsc@20240729");
                assertThat(b.sha256()).isEqualTo(sha);
                assertThat(b.source()).contains("apt sid runsc 0.0~20240729.0-7+b1");
            });
        });

        Files.writeString(exe, "#!/bin/sh\necho swapped\n");
        assertThat(RunscFetch.verify(d).problem()).contains("does not have the sha256 recorded at fetch time");

        Files.writeString(exe, "#!/bin/sh\necho 'runsc version 0.0~20240729.0'\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertThat(RunscFetch.verify(d).problem()).contains("writable by group or others");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(RunscFetch.verify(d).problem()).contains(d + " is writable by group or others");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path real = d.resolve("runsc.real");
        Files.move(exe, real);
        Files.createSymbolicLink(exe, real);
        assertThat(RunscFetch.verify(d).problem()).contains("symbolic link");
    }

    @Test
    void aptIsPointedAtIsobenchsOwnFilesOnly(@TempDir Path tmp) {
        List<String> o = new RunscFetch(tmp).aptOptions();
        assertThat(o).contains("Dir::Etc::SourceList=" + tmp.resolve("apt/sources.list"), "Dir::Etc::SourceParts=/dev/null",
                "Dir::State::status=/dev/null");
        assertThat(RunscFetch.SOURCES).contains("signed-by=/usr/share/keyrings/debian-archive-keyring.gpg");
    }

    /** The netstack probe's failure is stored with every result: runsc's pid in it must not make two runs differ. */
    @Test
    void storedProbeFailuresCarryNoPid() {
        String a = "setting up network: creating interfaces from net namespace \"/proc/15013/ns/net\": cannot run with "
                + "network enabled in root network namespace";
        String b = a.replace("15013", "2210");
        assertThat(RunscDriver.stableReason(a)).isEqualTo(RunscDriver.stableReason(b))
                .contains("\"/proc/PID/ns/net\"").doesNotContain("15013");
    }
}
