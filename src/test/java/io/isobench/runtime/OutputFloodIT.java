package io.isobench.runtime;

import io.isobench.IntegrationSupport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A workload writing 1 GiB without a newline, natively and in runc, in a JVM limited to a 64 MiB heap
 * ({@link FloodMain}): each trial ends (the launcher killed past the 8 MiB line cap, stderr says why) and the JVM
 * neither runs out of memory nor hangs.
 */
class OutputFloodIT {
    @Test
    void aGibibyteWithoutANewlineFailsTheTrialNotTheJvm() throws Exception {
        String out = flood(null, "native", "runc");
        assertThat(out).containsPattern("RESULT native exit=\\d+ timedOut=false overflow=true");
        if (!out.contains("SKIP runc")) {
            assertThat(out).containsPattern("RESULT runc exit=\\d+ timedOut=false overflow=true");
        }
        assertThat(out).contains("HEAP native");
    }

    @Test
    void theJdkFallbackLauncherIsBoundedToo() throws Exception {
        String out = flood("jdk", "native");
        assertThat(out).containsPattern("RESULT native exit=\\d+ timedOut=false overflow=true");
    }

    /** Runs {@link FloodMain} in a JVM with a 64 MiB heap (ISOBENCH_SPAWN={@code spawn} when not null); its output. */
    private static String flood(String spawn, String... runtimes) throws Exception {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        Path home = Path.of("/var/tmp", "isobench-flood-" + ProcessHandle.current().pid()); // the image cache must not be under /tmp
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), FloodMain.class.getName(),
                home.toString()));
        argv.addAll(java.util.List.of(runtimes));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (spawn != null) {
            pb.environment().put("ISOBENCH_SPAWN", spawn);
        }
        Process p = pb.start();
        String out;
        try {
            boolean done = p.waitFor(12, TimeUnit.MINUTES);
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(done).as("the flood JVM finished: %s", out).isTrue();
        } finally {
            p.destroyForcibly();
            Runtime.getRuntime().exec(new String[]{"rm", "-rf", home.toString()}).waitFor();
        }
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("OutOfMemoryError");
        return out;
    }
}
