package io.isobench.runtime.incus;

import io.isobench.TestFixtures;
import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Runtimes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Incus family's pure parts: setup's sources decision, instance names and settings, exec argv, parsers on captured output. */
class IncusTest {
    private static final WorkloadImage IMAGE = new WorkloadImage("a".repeat(64), Path.of("/var/cache/isobench/images/a"),
            Map.of(), 0, 0, List.of(), Map.of(), Map.of());

    @Test
    void backportsOnlyOnDebian12() {
        String bookworm = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
        assertThat(IncusSetup.backportsSuite(IncusSetup.osRelease(bookworm))).isEqualTo("bookworm-backports");
        assertThat(IncusSetup.backportsSuite(IncusSetup.osRelease("ID=debian\nVERSION_CODENAME=trixie\n"))).isNull();
        assertThat(IncusSetup.backportsSuite(IncusSetup.osRelease("ID=ubuntu\nVERSION_CODENAME=noble\n"))).isNull();
        assertThat(IncusSetup.sourcesLine("bookworm-backports")).isEqualTo(
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main");
    }

    @Test
    void instanceNamesAreValidHostnamesOwnedByPrefix() {
        assertThat(IncusDriver.instanceName("isobench-12-cpu-incus-r0")).isEqualTo("isobench-12-cpu-incus-r0");
        assertThat(IncusDriver.instanceName("probe.x_y:z")).isEqualTo("isobench-probe-x-y-z");
        String longName = IncusDriver.instanceName("isobench-" + "x".repeat(80));
        assertThat(longName).hasSizeLessThanOrEqualTo(63).startsWith("isobench-").matches("[a-z0-9-]+");
        assertThat(IncusDriver.instanceName("isobench-" + "x".repeat(80) + "1"))
                .isNotEqualTo(IncusDriver.instanceName("isobench-" + "x".repeat(80) + "2"));
    }

    @Test
    void settingsCarryOwnerLimitsAndInit() {
        List<String> c = IncusDriver.initConfig(new Limits(1.5, 256L << 20), "/usr/bin/init", 42);
        assertThat(c).contains("user.isobench.pid=42", "limits.cpu.allowance=150ms/100ms", "limits.memory=268435456B",
                "raw.lxc=lxc.init.cmd = /usr/bin/init");
        assertThat(c).anyMatch(s -> s.startsWith("user.isobench.pidns="));
    }

    @Test
    void aPinnedInstanceGetsItsCpuSetAsLimitsCpuNeverACount() {
        Limits one = new Limits(1, 1L << 30).pinned(io.isobench.util.CpuSet.parse("1", "t"), null);
        assertThat(IncusDriver.initConfig(one, "/init", 1)).contains("limits.cpu=1-1"); // "1" would mean one CPU anywhere
        Limits two = new Limits(2, 1L << 30).pinned(io.isobench.util.CpuSet.parse("0,2-3", "t"), "0");
        assertThat(IncusDriver.initConfig(two, "/init", 1)).contains("limits.cpu=0,2-3", "limits.cpu.nodes=0");
        assertThat(IncusDriver.initConfig(new Limits(2, 1L << 30), "/init", 1)).noneMatch(c -> c.startsWith("limits.cpu="));
    }

    @Test
    void execPassesEnvironmentAndArgvUnchanged() {
        LaunchSpec spec = LaunchSpec.builder("isobench-t1", IMAGE, new Limits(1, 1L << 30))
                .argv(List.of("/usr/bin/sysbench", "cpu", "run")).env(Map.of("K", "v w")).build();
        List<String> a = IncusDriver.execArgv("/usr/bin/incus", "isobench-t1", spec);
        assertThat(a.subList(0, 3)).containsExactly("/usr/bin/incus", "exec", "isobench-t1");
        assertThat(a).contains("--force-noninteractive").containsSequence("--env", "K=v w");
        assertThat(a.subList(a.indexOf("--") + 1, a.size())).containsExactly("/usr/bin/sysbench", "cpu", "run");
    }

    @Test
    void versionFromCapturedOutput() {
        assertThat(IncusDriver.version(TestFixtures.read("incus/version.txt"))).isEqualTo("6.0.4");
        assertThat(IncusDriver.version("Client version: 6.0.4\nServer version: unreachable\n")).isEqualTo("unreachable");
    }

    @Test
    void leftoversOnlyOfDeadOwnersInThisPidNamespace() {
        String json = TestFixtures.read("incus/instances.json");
        assertThat(IncusLeftovers.deadOwners(json, "pid:[4026531836]", pid -> false)).containsExactly("isobench-manual-1");
        assertThat(IncusLeftovers.deadOwners(json, "pid:[4026531836]", pid -> pid == 999999)).isEmpty();
        assertThat(IncusLeftovers.deadOwners(json, "pid:[1]", pid -> false)).isEmpty();
        assertThat(IncusLeftovers.deadOwners(json.replace("isobench-manual-1", "mine-manual-1"), "pid:[4026531836]", pid -> false)).isEmpty();
        assertThat(IncusLeftovers.deadOwners("not json", "x", pid -> false)).isEmpty();
    }

    @Test
    void imageMetadataAndRegistration() {
        assertThat(IncusImage.metadata("h", "x86_64", 5)).contains("architecture: x86_64\n", "creation_date: 5\n", "os: isobench");
        assertThat(IncusImage.alias(IMAGE)).isEqualTo("isobench-" + "a".repeat(64));
        assertThat(Runtimes.known()).extracting(d -> d.id()).contains("incus", "incus-vm");
        assertThat(new IncusDriver().hostSetup()).isEqualTo(new IncusVmDriver().hostSetup());
        assertThat(new IncusDriver().leftovers()).isEqualTo(new IncusVmDriver().leftovers());
    }
}
