package io.isobench.runtime;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPoolTest {
    private static String fixture(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/fixtures/ip", name));
    }

    @Test
    void theDefaultBlockIsTheBenchmarkingRangeSplitInHalves() {
        AddressPool.configure(null);
        assertThat(AddressPool.block()).hasToString("198.18.0.0/15");
        assertThat(AddressPool.netnsHalf()).hasToString("198.18.0.0/16");
        assertThat(AddressPool.dockerHalf()).hasToString("198.19.0.0/16");
    }

    @Test
    void cidrs() {
        AddressPool.Cidr c = AddressPool.Cidr.parse("198.18.0.0/15", "x");
        assertThat(c.overlaps(AddressPool.Cidr.parse("198.19.200.0/24", "x"))).isTrue();
        assertThat(c.overlaps(AddressPool.Cidr.parse("198.20.0.0/16", "x"))).isFalse();
        assertThat(c.overlaps(AddressPool.Cidr.parse("0.0.0.0/0", "x"))).isTrue();
        assertThat(c.sub(24, 3)).hasToString("198.18.3.0/24");
        assertThat(AddressPool.Cidr.parse("198.18.3.0/24", "x").sub(30, 63)).hasToString("198.18.3.252/30");
        assertThatThrownBy(() -> AddressPool.validate("198.18.0.1/15", "--subnet")).isInstanceOf(UserException.class)
                .hasMessageContaining("host bits");
        assertThatThrownBy(() -> AddressPool.validate("198.18.0.0/24", "--subnet")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> AddressPool.validate("127.0.0.0/16", "--subnet")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> AddressPool.validate("fd00::/8", "--subnet")).isInstanceOf(UserException.class);
        assertThat(AddressPool.validate("172.31.0.0/22", "--subnet")).hasToString("172.31.0.0/22");
    }

    @Test
    void aCleanHostHasNoOverlap() throws Exception {
        assertThat(AddressPool.overlaps(AddressPool.Cidr.parse(AddressPool.DEFAULT, "x"), fixture("addr-clean.json"),
                fixture("route-clean.json"))).isEmpty();
        // the old default would collide with nothing here either, but a block with the host's own network does
        assertThat(AddressPool.overlaps(AddressPool.Cidr.parse("192.0.0.0/16", "x"), fixture("addr-clean.json"),
                fixture("route-clean.json"))).contains("address 192.0.2.2/24 on eth0", "route 192.0.2.0/24 dev eth0 (table main)");
    }

    @Test
    void overlapsInAnyTableAreFoundAndIsobenchsOwnInterfacesIgnored() throws Exception {
        List<String> o = AddressPool.overlaps(AddressPool.Cidr.parse(AddressPool.DEFAULT, "x"), fixture("addr-overlap.json"),
                fixture("route-overlap.json"));
        assertThat(o).contains("address 198.18.7.1/24 on lab0", "route 198.19.128.0/20 dev lab1 (table 100)",
                "route 198.18.7.0/24 dev lab0 (table main)");
        assertThat(o).noneMatch(s -> s.contains("ibh5") || s.contains("isobench4242") || s.contains("default"));
        assertThat(AddressPool.overlaps(AddressPool.Cidr.parse("172.31.0.0/16", "x"), fixture("addr-overlap.json"),
                fixture("route-overlap.json"))).isEmpty();
    }

    /** Leases 3 /24s of the default netns half from index 0 in this JVM, prints them, holds them until stdin closes. */
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.out.println(AddressPool.tryLease(AddressPool.netnsHalf(), 24, 0));
        }
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the leases
        }
    }

    private static Process leaser(Path lockDir) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Disobench.lockdir=" + lockDir, "-cp", System.getProperty("java.class.path"),
                AddressPoolTest.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<String> leases(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            l.add(r.readLine());
        }
        return l;
    }

    @Test
    void twoProcessesAtOnceNeverTakeTheSameBlock(@TempDir Path tmp) throws Exception {
        Path lockDir = tmp.resolve("locks");
        Process a = leaser(lockDir);
        Process b = leaser(lockDir);
        try {
            List<String> la = leases(a);
            List<String> lb = leases(b);
            assertThat(la).doesNotContainNull().doesNotHaveDuplicates();
            assertThat(lb).doesNotContainNull().doesNotHaveDuplicates();
            assertThat(la).doesNotContainAnyElementsOf(lb);
            List<String> all = new ArrayList<>(la);
            all.addAll(lb);
            assertThat(all).containsExactlyInAnyOrder("198.18.0.0/24", "198.18.1.0/24", "198.18.2.0/24",
                    "198.18.3.0/24", "198.18.4.0/24", "198.18.5.0/24");
            assertThat(Files.getPosixFilePermissions(lockDir)).hasToString("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
            // a lease ends with its process: a third process gets the first one's blocks back
            a.getOutputStream().close();
            assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Process c = leaser(lockDir);
            try {
                assertThat(leases(c)).containsExactlyInAnyOrderElementsOf(la);
            } finally {
                c.destroyForcibly();
            }
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }

    @Test
    void aLockDirOthersCanWriteIsRefused(@TempDir Path tmp) throws Exception {
        Path lockDir = tmp.resolve("open");
        Files.createDirectory(lockDir);
        Files.setPosixFilePermissions(lockDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String saved = System.getProperty("isobench.lockdir");
        System.setProperty("isobench.lockdir", lockDir.toString());
        try {
            assertThatThrownBy(() -> AddressPool.tryLease(AddressPool.netnsHalf(), 24, 0))
                    .isInstanceOf(RuntimeDriver.LaunchException.class).hasMessageContaining("writable by every user");
        } finally {
            if (saved == null) {
                System.clearProperty("isobench.lockdir");
            } else {
                System.setProperty("isobench.lockdir", saved);
            }
        }
    }
}
