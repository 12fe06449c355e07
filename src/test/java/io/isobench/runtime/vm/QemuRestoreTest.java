package io.isobench.runtime.vm;

import io.isobench.runtime.RuntimeDriver;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** QEMU saves a guest to a file: file: URIs where the QEMU has them (8.2+), else exec:cat (Debian 12's 7.2). */
class QemuRestoreTest {
    static final Path STATE = Path.of("/tmp/isobench-1-x/snapshots/isobench-r1-startup/vm.state");

    @Test
    void fileUrisFromQemu82() throws Exception {
        assertThat(QemuDriver.migrationUri("10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)", STATE, true))
                .isEqualTo("file:" + STATE);
        assertThat(QemuDriver.migrationUri("8.2.0", STATE, false)).isEqualTo("file:" + STATE);
    }

    @Test
    void execCatBefore() throws Exception {
        assertThat(QemuDriver.migrationUri("7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)", STATE, true))
                .isEqualTo("exec:cat > '" + STATE + "'");
        assertThat(QemuDriver.migrationUri("8.1.5", STATE, false)).isEqualTo("exec:cat '" + STATE + "'");
        assertThat(QemuDriver.migrationUri(null, STATE, false)).startsWith("exec:cat '");
    }

    @Test
    void aQuoteInThePathIsRefusedForExec() {
        assertThatThrownBy(() -> QemuDriver.migrationUri("7.2.0", Path.of("/tmp/it's/vm.state"), true))
                .isInstanceOf(RuntimeDriver.LaunchException.class);
    }

    @Test
    void everyQemuDriverOffersRestore() {
        assertThat(new QemuMicrovmDriver().checkpointer()).isPresent();
        assertThat(new QemuQ35Driver().restoreUnsupported()).isNull();
    }
}
