package io.isobench.runtime.oci;

import io.isobench.proc.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state a create cut short leaves, laid out as runc 1.1 (a directory with only exec.fifo; {@code runc list} then
 * warns "load container NAME: container does not exist") and runsc 2022/2024 ({@code NAME_sandbox:NAME.lock} without
 * its {@code .state}) leave it: seen in /run/runc and /run/runsc after SIGKILLed and saturated startup runs.
 */
class OciStateRootTest {
    @TempDir
    Path root;

    private Path halfRunc(String name) throws IOException {
        Path d = Files.createDirectory(root.resolve(name));
        assertThat(Proc.of("mkfifo", d.resolve("exec.fifo").toString()).timeout(Duration.ofSeconds(10)).run().ok()).isTrue();
        return d;
    }

    private Path runscLock(String name) throws IOException {
        return Files.createFile(root.resolve(name + "_sandbox:" + name + ".lock"));
    }

    @Test
    void removesOnlyHalfCreatedIsobenchContainersNobodyWorksOn() throws Exception {
        Path half = halfRunc("isobench-20261203-065438-f13db861a339-startup-runc-r1-cf20-23");
        // as a SIGKILLed 64-container run left one: runc's clone of its binary, killed before it unlinked the file
        Path halfWithClone = halfRunc("isobench-20261203-114937-bdf72ba53e40-startup-runc-r1-f189-55");
        Files.createFile(halfWithClone.resolve("runc.voJ7ly"));
        // killed between runc's write of its state to a temp file and the rename to state.json (CI, a SIGKILLed run)
        Path halfWithStateTemp = halfRunc("isobench-20261203-132650-e328132d84ef-startup-runc-r1-c844-33");
        Files.writeString(halfWithStateTemp.resolve("state-1777836452"), "{\"id\":\"isobench-20261203-132650-e32");
        Path halfWithOther = halfRunc("isobench-20261203-114937-bdf72ba53e40-startup-runc-r1-f189-56");
        Files.createFile(halfWithOther.resolve("runc.json"));
        Path whole = halfRunc("isobench-20261203-065438-f13db861a339-startup-runc-r1-cf20-24");
        Files.writeString(whole.resolve("state.json"), "{}");
        Path foreign = halfRunc("srt2");
        Path lock = runscLock("isobench-20261203-042525-adac4f99128d-startup-runsc-r2-a4d7-192");
        Path lockWithState = runscLock("isobench-20261203-042525-adac4f99128d-startup-runsc-r2-a4d7-193");
        Path state = Files.createFile(root.resolve(lockWithState.getFileName().toString().replace(".lock", ".state")));
        Path other = Files.createFile(root.resolve("isobench-notes.txt"));

        assertThat(OciStateRoot.removeUnloadable(root)).hasSize(4)
                .allMatch(l -> l.startsWith("half-created container isobench-"));

        assertThat(half).doesNotExist();
        assertThat(halfWithClone).doesNotExist();
        assertThat(halfWithStateTemp).doesNotExist();
        assertThat(halfWithOther).as("a file we do not know").exists();
        assertThat(lock).doesNotExist();
        assertThat(whole).exists(); // runc can load it: its list and delete handle it
        assertThat(foreign).exists(); // not ours
        assertThat(lockWithState).exists();
        assertThat(state).exists();
        assertThat(other).exists();
    }

    @Test
    void leavesAnEntryAProcessHoldsOpenOrNamesOnItsCommandLine() throws Exception {
        Path held = halfRunc("isobench-r-held");
        Path named = halfRunc("isobench-r-named");
        Path heldLock = runscLock("isobench-r-lock");
        // a runc init blocked on its fifo, a create in progress, a runsc holding its lock
        Process holder = new ProcessBuilder("bash", "-c", "exec 3<>\"$1\" 4<\"$2\"; echo ok; exec sleep 60", "bash",
                held.resolve("exec.fifo").toString(), heldLock.toString()).redirectErrorStream(true).start();
        Process namer = new ProcessBuilder("bash", "-c", "echo ok; read -r -t 60 line", "isobench-r-named")
                .redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(3))).isEqualTo("ok\n");
            assertThat(new String(namer.getInputStream().readNBytes(3))).isEqualTo("ok\n");

            assertThat(OciStateRoot.removeUnloadable(root)).isEmpty();
            assertThat(held).exists();
            assertThat(named).exists();
            assertThat(heldLock).exists();
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            namer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(OciStateRoot.removeUnloadable(root)).hasSize(3);
        assertThat(held).doesNotExist();
        assertThat(named).doesNotExist();
        assertThat(heldLock).doesNotExist();
    }

    @Test
    void aTeardownRemovesOnlyItsOwnContainersEntries() throws Exception {
        Path mine = halfRunc("isobench-r-mine");
        Path mineLock = runscLock("isobench-r-mine");
        Path theirs = halfRunc("isobench-r-mine2");

        assertThat(OciStateRoot.removeUnloadable(root, "isobench-r-mine")).hasSize(2);
        assertThat(mine).doesNotExist();
        assertThat(mineLock).doesNotExist();
        assertThat(theirs).exists();
        assertThat(OciStateRoot.removeUnloadable(root, "isobench-r-none")).isEmpty();
        assertThat(OciStateRoot.removeUnloadable(root, "../isobench-r-mine2")).isEmpty();
        assertThat(theirs).exists();
    }

    @Test
    void runcsBindMountOfItsBinaryLeftInAStateDirIsFoundForUnmounting() {
        // /proc/self/mountinfo after a SIGKILLed 64-container runc startup run (runc 1.1.5, 2026-12-03)
        String mi = """
                26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
                231 26 254:0 /usr/sbin/runc /run/runc/isobench-20261203-123703-3862b96a51eb-startup-runc-r1-b415-48/runc.qfGLTx rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
                232 26 0:30 / /run/runc/isobench-other/x rw - tmpfs tmpfs rw
                233 26 0:31 / /run/runc/isobench-20261203-123703-3862b96a51eb-startup-runc-r1-b415-48-not-this/y rw - tmpfs tmpfs rw
                """;
        assertThat(OciStateRoot.mountsUnder(Path.of("/run/runc/isobench-20261203-123703-3862b96a51eb-startup-runc-r1-b415-48"), mi))
                .containsExactly("/run/runc/isobench-20261203-123703-3862b96a51eb-startup-runc-r1-b415-48/runc.qfGLTx");
        assertThat(OciStateRoot.mountsUnder(Path.of("/run/runc/isobench-none"), mi)).isEmpty();
    }

    @Test
    void aMissingRootIsNothingToDo() {
        assertThat(OciStateRoot.removeUnloadable(root.resolve("absent"))).isEmpty();
        assertThat(OciStateRoot.removeUnloadable(null)).isEmpty();
        assertThat(OciStateRoot.removeUnloadable(null, "isobench-x")).isEmpty();
    }
}
