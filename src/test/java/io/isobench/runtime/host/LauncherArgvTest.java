package io.isobench.runtime.host;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Scratch;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The host launchers' command lines and LXC config, built without root or any runtime installed. */
class LauncherArgvTest {
    private static final Path ROOTFS = Path.of("/var/cache/isobench/images/abc/rootfs");
    private static final WorkloadImage IMAGE = new WorkloadImage("a".repeat(64), ROOTFS, Map.of(), 0, 0, List.of(), Map.of(),
            Map.of());
    private static final Path SCRATCH = Path.of("/tmp/isobench-1-2/scratch/t1");
    private static final Path NETNS = Path.of("/run/netns/isobench-1-3");

    private static LaunchSpec spec(Long scratchBytes) {
        return LaunchSpec.builder("isobench-t1", IMAGE, new Limits(1.5, 256L << 20))
                .argv(List.of("/usr/bin/sysbench", "cpu", "run")).env(Map.of("K", "v")).scratchBytes(scratchBytes).build();
    }

    @Test
    void bwrapWithoutNetworkOrScratch() {
        List<String> a = BwrapDriver.argv("/usr/bin/bwrap", spec(null), null, false);
        assertThat(a.subList(0, 3)).containsExactly("/usr/bin/bwrap", "--unshare-all", "--die-with-parent");
        assertThat(a).doesNotContain("--share-net", "--bind").containsSequence("--ro-bind", ROOTFS.toString(), "/")
                .containsSequence("--setenv", "K", "v").doesNotContain(Scratch.ENV);
        assertThat(a.subList(a.indexOf("--") + 1, a.size())).containsExactly("/usr/bin/sysbench", "cpu", "run");
        // bwrap makes no cgroup: nothing in its command line could apply the limits, and its details say so
        assertThat(String.join(" ", a.subList(0, a.indexOf("--")))).doesNotContain("cpu", "memory", "cgroup");
        assertThat(new BwrapDriver().probeDetails().get("limits_enforced").toString()).startsWith("none");
    }

    @Test
    void bwrapWithNetworkAndScratch() {
        List<String> a = BwrapDriver.argv("/usr/bin/bwrap", spec(1L << 30), SCRATCH, true);
        assertThat(a.get(2)).isEqualTo("--share-net"); // keeps the isobench netns nsenter put it in
        assertThat(a).containsSequence("--bind", SCRATCH.toString(), Scratch.PATH)
                .containsSequence("--setenv", Scratch.ENV, Scratch.PATH);
        assertThat(a.indexOf("--bind")).isLessThan(a.indexOf("--"));
    }

    @Test
    void nspawnPrivateNetworkOrTheNamespace() {
        List<String> off = NspawnDriver.argv("/usr/bin/systemd-nspawn", spec(null), null, null);
        assertThat(off).contains("--private-network", "--read-only", "--register=no", "--keep-unit", "--as-pid2",
                "--machine=isobench-t1", "--setenv=K=v").noneMatch(s -> s.startsWith("--network-namespace-path")
                || s.startsWith("--bind"));
        assertThat(off.subList(off.indexOf("--") + 1, off.size())).containsExactly("/usr/bin/sysbench", "cpu", "run");
        List<String> on = NspawnDriver.argv("/usr/bin/systemd-nspawn", spec(1L << 30), SCRATCH, NETNS);
        assertThat(on).contains("--network-namespace-path=" + NETNS, "--bind=" + SCRATCH + ":" + Scratch.PATH,
                "--setenv=" + Scratch.ENV + "=" + Scratch.PATH).doesNotContain("--private-network");
        assertThat(new NspawnDriver().joinsNamespaceItself()).isTrue();
    }

    @Test
    void nspawnMachineNameKeepsTheUniqueTail() {
        String name = NspawnDriver.machineName("isobench-" + "x".repeat(70) + "_1.2");
        assertThat(name).hasSizeLessThanOrEqualTo(64).endsWith("x-1-2").doesNotStartWith("-");
    }

    @Test
    void lxcExecuteArgvAndConfigWithLimits() {
        Path lxcpath = Path.of("/tmp/isobench-1-2/lxc/isobench-t1");
        List<String> a = LxcDriver.argv("/usr/bin/lxc-execute", spec(null), lxcpath);
        assertThat(a).containsSequence("-n", "isobench-t1", "-P", lxcpath.toString(), "-f", lxcpath.resolve("isobench.conf").toString());
        assertThat(a.subList(a.indexOf("--") + 1, a.size())).containsExactly("/usr/bin/sysbench", "cpu", "run");

        String v2 = LxcDriver.config(spec(null), true, null, false);
        assertThat(v2).contains("lxc.cgroup2.cpu.max = 150000 100000\n", "lxc.cgroup2.memory.max = " + (256L << 20) + "\n",
                "lxc.net.0.type = empty\n", "lxc.rootfs.path = dir:" + ROOTFS + "\n", "lxc.rootfs.options = ro\n",
                "lxc.environment = K=v\n").doesNotContain("lxc.mount.entry = " + SCRATCH, "lxc.cgroup.cpu");
        String v1 = LxcDriver.config(spec(1L << 30), false, SCRATCH, true);
        assertThat(v1).contains("lxc.cgroup.cpu.cfs_quota_us = 150000\n", "lxc.cgroup.cpu.cfs_period_us = 100000\n",
                "lxc.cgroup.memory.limit_in_bytes = " + (256L << 20) + "\n", "lxc.net.0.type = none\n",
                "lxc.mount.entry = " + SCRATCH + " scratch none rw,bind 0 0\n",
                "lxc.environment = " + Scratch.ENV + "=" + Scratch.PATH + "\n").doesNotContain("cgroup2");
    }

    @Test
    void lxcSystemStartsInitThenAttachesTheWorkloadWithItsEnvironment() {
        Path lxcpath = Path.of("/tmp/isobench-1-2/lxc/isobench-t1");
        assertThat(LxcSystemDriver.startArgv("/usr/bin/lxc-start", "isobench-t1", lxcpath)).containsExactly("/usr/bin/lxc-start",
                "-d", "-n", "isobench-t1", "-P", lxcpath.toString(), "-f", lxcpath.resolve("isobench.conf").toString(),
                "-o", lxcpath.resolve("lxc.log").toString(), "-l", "WARN");
        List<String> off = LxcSystemDriver.attachArgv("/usr/bin/lxc-attach", "isobench-t1", lxcpath, spec(null));
        assertThat(off).containsSequence("-n", "isobench-t1", "-P", lxcpath.toString(), "--clear-env")
                .containsSequence("-v", "K=v").containsSequence("-v", "HOME=/root").doesNotContain(Scratch.ENV + "=" + Scratch.PATH);
        assertThat(off.subList(off.indexOf("--") + 1, off.size())).containsExactly("/usr/bin/sysbench", "cpu", "run");
        assertThat(LxcSystemDriver.attachArgv("/usr/bin/lxc-attach", "isobench-t1", lxcpath, spec(1L << 30)))
                .containsSequence("-v", Scratch.ENV + "=" + Scratch.PATH);
    }
}
