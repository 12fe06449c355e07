package io.isobench.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which hierarchies an instance joins (real mountinfo captures), and the cgroup's life on a stand-in tree. */
class OwnCgroupTest {
    @TempDir
    Path dir;

    private static String fixture(String name) throws IOException {
        try (var in = OwnCgroupTest.class.getResourceAsStream("/fixtures/host/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aHybridHostJoinsTheSchedulingAndChargingControllersAndTheUnifiedTree() throws IOException {
        List<OwnCgroup.Hierarchy> h = OwnCgroup.parseMountinfo(fixture("mountinfo-hybrid.txt"));
        assertThat(h).filteredOn(x -> !x.v2()).extracting(x -> x.mount().toString()).containsExactly(
                "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/blkio",
                "/sys/fs/cgroup/pids", "/sys/fs/cgroup/systemd"); // not cpuset (a new one has no CPUs), devices, freezer
        assertThat(h).filteredOn(x -> x.mount().endsWith("systemd")).extracting(OwnCgroup.Hierarchy::controllers)
                .containsExactly(Set.of("name=systemd")); // where nspawn nests its payload and supervisor cgroups
        assertThat(h).filteredOn(OwnCgroup.Hierarchy::v2).extracting(x -> x.mount().toString())
                .containsExactly("/sys/fs/cgroup/unified"); // though it holds no controller that matters (nspawn, as above)
    }

    @Test
    void aV2HostJoinsItsOneTree() throws IOException {
        assertThat(OwnCgroup.parseMountinfo(fixture("mountinfo-v2.txt")))
                .containsExactly(new OwnCgroup.Hierarchy(Path.of("/sys/fs/cgroup"), true, Set.of()));
    }

    @Test
    void cpuAndCpuacctMountedTogetherAreOneHierarchy() throws IOException {
        List<OwnCgroup.Hierarchy> h = OwnCgroup.parseMountinfo(fixture("mountinfo-v1-cpu-cpuacct.txt"));
        assertThat(h).extracting(x -> x.mount().toString()).containsExactly("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/blkio",
                "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids");
        assertThat(h.get(2).controllers()).containsExactlyInAnyOrder("cpu", "cpuacct");
    }

    @Test
    void aSecondMountOfAHierarchyAndEscapedMountPoints() {
        String mi = """
                31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                90 30 0:28 / /mnt/cpu\\040again rw,relatime - cgroup cgroup rw,cpu
                91 30 0:40 / /mnt/my\\040pids rw,relatime - cgroup cgroup rw,pids
                """;
        assertThat(OwnCgroup.parseMountinfo(mi)).extracting(x -> x.mount().toString())
                .containsExactly("/sys/fs/cgroup/cpu", "/mnt/my pids");
    }

    @Test
    void aCgroupIsMadeInEveryHierarchyUnderIsobenchAndRemovedWithItsParent() throws IOException {
        List<OwnCgroup.Hierarchy> h = List.of(new OwnCgroup.Hierarchy(Files.createDirectory(dir.resolve("cpu")), false, Set.of("cpu")),
                new OwnCgroup.Hierarchy(Files.createDirectory(dir.resolve("memory")), false, Set.of("memory")));
        OwnCgroup a = OwnCgroup.create(h);
        OwnCgroup b = OwnCgroup.create(h);
        assertThat(a.path()).matches("/isobench/isobench-" + ProcessHandle.current().pid() + "-\\d+").isNotEqualTo(b.path());
        assertThat(a.procsFiles()).containsExactly(dir.resolve("cpu" + a.path() + "/cgroup.procs"),
                dir.resolve("memory" + a.path() + "/cgroup.procs"));
        assertThat(dir.resolve("cpu" + a.path())).isDirectory();
        assertThat(a.pids()).isEmpty();
        // what systemd-nspawn nests in its cgroup (name=systemd, unified) and leaves behind, empty
        Files.createDirectories(dir.resolve("memory" + a.path() + "/payload"));
        Files.createDirectories(dir.resolve("memory" + a.path() + "/supervisor/deeper"));
        a.close();
        assertThat(dir.resolve("cpu" + a.path())).doesNotExist();
        assertThat(dir.resolve("memory" + a.path())).doesNotExist();
        assertThat(dir.resolve("cpu/isobench")).as("b still lives there").isDirectory();
        b.close();
        b.close(); // twice: nothing happens
        assertThat(dir.resolve("cpu/isobench")).doesNotExist();
        assertThat(dir.resolve("memory/isobench")).doesNotExist();
    }

    @Test
    void whenOneHierarchyRefusesWhatWasMadeIsRemoved() throws IOException {
        Path cpu = Files.createDirectory(dir.resolve("cpu"));
        Path notADir = Files.writeString(dir.resolve("memory"), "a file, not a hierarchy");
        assertThatThrownBy(() -> OwnCgroup.create(List.of(new OwnCgroup.Hierarchy(cpu, false, Set.of("cpu")),
                new OwnCgroup.Hierarchy(notADir, false, Set.of("memory")))))
                .isInstanceOf(IOException.class).hasMessageStartingWith("cannot create the cgroup /isobench/isobench-");
        assertThat(cpu.resolve("isobench")).doesNotExist();
        assertThatThrownBy(() -> OwnCgroup.create(List.of())).isInstanceOf(IOException.class).hasMessageContaining("no cgroup hierarchy");
    }

    @Test
    void v2ControllersAreEnabledOnlyWhereOfferedAndMissing() throws IOException {
        Path root = Files.createDirectory(dir.resolve("v2"));
        Path parent = Files.createDirectory(root.resolve("isobench"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu io memory pids\n");
        Files.writeString(parent.resolve("cgroup.subtree_control"), "cpu memory io\n");
        OwnCgroup.enableV2Controllers(root, parent);
        // a stand-in file keeps the last write; the real file adds each "+controller"
        assertThat(root.resolve("cgroup.subtree_control")).hasContent("cpu io memory pids");
        assertThat(parent.resolve("cgroup.subtree_control")).hasContent("+pids");
    }
}
