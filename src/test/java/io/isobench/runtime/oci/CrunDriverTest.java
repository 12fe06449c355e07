package io.isobench.runtime.oci;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CrunDriverTest {
    @Test
    void hybridIsACgroup2MountAtUnified() throws Exception {
        String mountinfo = Files.readString(Path.of("src/test/resources/fixtures/host/mountinfo-hybrid.txt"));
        assertThat(CrunDriver.hybrid(mountinfo)).isTrue();
        String withoutUnified = mountinfo.lines().filter(l -> !l.contains("/sys/fs/cgroup/unified"))
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(CrunDriver.hybrid(withoutUnified)).isFalse();
        assertThat(CrunDriver.hybrid("40 30 0:37 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n")).isFalse();
    }

    @Test
    void onHybridHostsCrunRunsWithoutTheUnifiedTreeAndItsArgvStaysArguments() {
        List<String> argv = List.of("/usr/bin/crun", "run", "--bundle", "/tmp/b x", "isobench-1");
        assertThat(CrunDriver.wrap(false, argv)).isEqualTo(argv);
        List<String> w = CrunDriver.wrap(true, argv);
        assertThat(w).startsWith("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "umount /sys/fs/cgroup/unified && exec \"$@\"", "sh").endsWith(argv.toArray(String[]::new));
    }
}
