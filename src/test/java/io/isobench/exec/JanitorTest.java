package io.isobench.exec;

import io.isobench.proc.StateDir;
import io.isobench.util.TrustedPath;
import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the janitor takes for a dead isobench's work dir, with planted names, files, symlinks and foreign owners. */
class JanitorTest {
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private Path root() throws Exception {
        Path r = tmp.resolve("state");
        Files.createDirectory(r, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return r;
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.pid();
    }

    private static List<Path> dead(List<Path> roots, ByteArrayOutputStream err) {
        return Janitor.deadWorkDirs(roots, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aMalformedNameIsIgnoredWithAWarningNotAnException() throws Exception {
        Path r = root();
        Files.createDirectory(r.resolve("isobench-99999999999999999999-1"));
        Files.createDirectory(r.resolve("isobench-0-1"));
        Files.createDirectory(r.resolve("isobench-x-1"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(dead(List.of(r), err)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("isobench-99999999999999999999-1: not a work dir name")
                .contains("isobench-x-1: not a work dir name");
    }

    @Test
    void onlyRealDirectoriesOfThisUserCount() throws Exception {
        assumeTrue(TrustedPath.currentUid() == 0, "chown needs root");
        Path r = root();
        long pid = deadPid();
        Path good = Files.createDirectory(r.resolve("isobench-" + pid + "-good"));
        Path victim = Files.createDirectories(tmp.resolve("victim"));
        Files.writeString(victim.resolve("precious"), "x");
        Files.createSymbolicLink(r.resolve("isobench-" + pid + "-link"), victim);
        Files.writeString(r.resolve("isobench-" + pid + "-file"), "x");
        Path foreign = Files.createDirectory(r.resolve("isobench-" + pid + "-foreign"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        Path open = Files.createDirectory(r.resolve("isobench-" + pid + "-open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(dead(List.of(r), err)).containsExactly(good);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-link: a symbolic link").contains("-file: not a directory")
                .contains("-foreign: owned by uid " + NOBODY).contains("-open: writable by others");
        assertThat(victim.resolve("precious")).hasContent("x");
    }

    @Test
    void aLiveProcessesDirIsKept() throws Exception {
        Path r = root();
        Files.createDirectory(r.resolve("isobench-" + ProcessHandle.current().pid() + "-mine"));
        assertThat(dead(List.of(r), new ByteArrayOutputStream())).isEmpty();
    }

    @Test
    void aRootThatOthersCouldWriteIsNotSwept() throws Exception {
        Path r = root();
        Files.createDirectory(r.resolve("isobench-" + deadPid() + "-x"));
        Files.setAttribute(r, "unix:mode", 01777);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(dead(List.of(r), err)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not sweeping " + r).contains("mode 1777");
    }

    /** Another user cannot plant anything in the state root (as /tmp allowed): mkdir there as nobody fails. */
    @Test
    void anotherUserCannotCreateANameInTheStateRoot() throws Exception {
        assumeTrue(TrustedPath.currentUid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
        Path r = StateDir.secure(root());
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "mkdir", r.resolve("isobench-1-planted").toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(r.resolve("isobench-1-planted")).doesNotExist();
    }

    @Test
    void theStateRootIsRefusedWithOneLineUnlessItIsAPrivateDirectory() throws Exception {
        Path made = StateDir.secure(tmp.resolve("fresh"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).isEqualTo("rwx------");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), made);
        assertThatThrownBy(() -> StateDir.secure(link)).isInstanceOf(UserException.class).hasMessageContaining("symbolic link");
        Path wide = Files.createDirectory(tmp.resolve("wide"));
        Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rwxr-xr-x"));
        StateDir.secure(wide); // its own, made 0755 by an older isobench: narrowed, not refused
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wide))).isEqualTo("rwx------");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> StateDir.secure(file)).isInstanceOf(UserException.class).hasMessageContaining("not a directory");
        if (TrustedPath.currentUid() == 0) {
            Path foreign = Files.createDirectory(tmp.resolve("foreign"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setAttribute(foreign, "unix:uid", NOBODY);
            assertThatThrownBy(() -> StateDir.secure(foreign)).isInstanceOf(UserException.class)
                    .hasMessageContaining("owned by uid " + NOBODY).message().doesNotContain("\n");
        }
    }
    /** A container's bundle or a VMM's argument names its dead owner even when the work dir is gone. */
    @Test
    void aPathInADeadWorkDirIsKnownByItsNameAlone() throws Exception {
        String old = System.getProperty(StateDir.PROPERTY);
        System.setProperty(StateDir.PROPERTY, "/run/isobench-test-roots");
        try {
            long dead = deadPid();
            long live = ProcessHandle.current().pid();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("/run/isobench-test-roots/isobench-" + dead + "-ab12/bundles/x")).isTrue();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("file,id=con0,path=/run/isobench-test-roots/isobench-" + dead
                    + "-ab12/qemu/c.log")).isTrue();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("/run/isobench-test-roots/isobench-" + live + "-ab12/x")).isFalse();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("/tmp/isobench-" + dead + "-ab12/x")).as("not a state root").isFalse();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("/home/u/run/isobench-test-roots/isobench-" + dead + "-1/x")).isFalse();
            assertThat(io.isobench.proc.WorkDir.inDeadWorkDir("/run/isobench-test-roots/isobench-99999999999999999999-1/x")).isFalse();
        } finally {
            if (old == null) {
                System.clearProperty(StateDir.PROPERTY);
            } else {
                System.setProperty(StateDir.PROPERTY, old);
            }
        }
    }
}
