package io.isobench.host;

import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HostProbeTest {
    @TempDir
    Path root;

    private HostProbe withMounts(String mounts) throws Exception {
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/mounts"), mounts);
        return new HostProbe(root);
    }

    @Test
    void hybridHostFromARealMountTable() throws Exception {
        assertThat(withMounts(TestFixtures.read("host/mounts-hybrid.txt")).cgroupMode()).isEqualTo("hybrid");
    }

    @Test
    void unifiedAndLegacy() throws Exception {
        // hand-written: the unified layout's single line, and the hybrid table without its cgroup2 line
        assertThat(withMounts("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n").cgroupMode()).isEqualTo("v2");
        String legacy = TestFixtures.read("host/mounts-hybrid.txt").lines()
                .filter(l -> !l.startsWith("cgroup2")).reduce("", (a, b) -> a + b + "\n");
        assertThat(withMounts(legacy).cgroupMode()).isEqualTo("v1");
    }

    @Test
    void readsThisHostsFacts() {
        HostFacts f = new HostProbe().probe(new KvmProbe(java.time.Duration.ofSeconds(1), root.resolve("no-kvm")));
        assertThat(f.cpus()).isPositive();
        assertThat(f.memoryBytes()).isGreaterThan(64L << 20);
        assertThat(f.kernel()).isNotBlank().isNotEqualTo("unknown");
        assertThat(f.kvm().present()).isFalse();
        assertThat(f.kvm().summary()).startsWith("absent");
    }
}
