package io.isobench.runtime.host;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which LXC monitors the janitor may take for isobench's when their work dir is gone. */
class LxcLeftoversTest {
    @Test
    void monitorCommandLinesOfIsobenchContainersOnly() {
        // as /proc/PID/cmdline of lxc-start's monitor reads (it rewrites its argv into one string)
        assertThat(LxcLeftovers.monitorOf("[lxc monitor] /run/isobench/isobench-4242-123/lxc/isobench-r-startup-lxc-system-r1 "
                + "isobench-r-startup-lxc-system-r1\0\0\0")).containsExactly("/run/isobench/isobench-4242-123/lxc/"
                + "isobench-r-startup-lxc-system-r1", "isobench-r-startup-lxc-system-r1");
        assertThat(LxcLeftovers.monitorOf("[lxc monitor] /var/lib/lxc web")).isNull();
        assertThat(LxcLeftovers.monitorOf("/usr/bin/lxc-start -n isobench-x")).isNull();
        assertThat(LxcLeftovers.monitorOf("[lxc monitor] /tmp/x isobench-a; rm -rf /")).isNull();
    }
}
