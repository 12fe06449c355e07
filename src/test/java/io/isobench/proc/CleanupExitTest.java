package io.isobench.proc;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shutdown hook of a real JVM: late registrations, the overall deadline, a second Ctrl-C. */
class CleanupExitTest {
    private static ProcessBuilder jvm(String mode) {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), CleanupMain.class.getName(), mode);
    }

    private static String text(java.io.InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aTeardownRegisteredWhileShutdownRunsStillRuns() throws Exception {
        Process p = jvm("late").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(text(p.getInputStream())).contains("late teardown ran");
    }

    /** A teardown another thread started before the hook (the main thread marking its run interrupted) is waited for. */
    @Test
    void theHookWaitsForATeardownAnotherThreadIsRunning() throws Exception {
        Process p = jvm("running").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(text(p.getInputStream())).contains("main's teardown finished");
    }

    @Test
    void pastTheDeadlineItExitsAndSaysWhatMayRemain() throws Exception {
        ProcessBuilder pb = jvm("deadline");
        pb.environment().put("ISOBENCH_CLEANUP_DEADLINE", "1");
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the 60 s teardown is cut at the 1 s deadline").isTrue();
        assertThat(text(p.getErrorStream())).contains("cleanup still running after 1 s").contains("may remain: slow thing");
    }

    @Test
    void aSecondInterruptExitsAtOnceListingWhatMayRemain() throws Exception {
        Process p = jvm("second").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            kill(p, "INT");
            assertThat(out.readLine()).isEqualTo("in teardown");
            kill(p, "INT");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the second Ctrl-C does not wait for the 60 s teardown").isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
            assertThat(text(p.getErrorStream())).contains("second interrupt").contains("may remain: slow sandbox");
        } finally {
            p.destroyForcibly();
        }
    }

    private static void kill(Process p, String sig) throws Exception {
        Process k = new ProcessBuilder(List.of("kill", "-" + sig, Long.toString(p.pid()))).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
