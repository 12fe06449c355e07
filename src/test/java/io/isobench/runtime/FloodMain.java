package io.isobench.runtime;

import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;
import io.isobench.proc.Launched;
import io.isobench.proc.ProcResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Run by {@link OutputFloodIT} in a JVM with a small heap: in each runtime named on the command line, a workload
 * writes 1 GiB to stdout without a newline. Prints one RESULT line per runtime (or SKIP) and the heap used.
 */
public final class FloodMain {
    public static void main(String[] args) throws Exception {
        ImageBuilder builder = new ImageBuilder(Path.of(args[0]));
        WorkloadImage image = builder.build(Set.of("true"), true);
        Limits limits = new Limits(1, 512L << 20);
        for (int i = 1; i < args.length; i++) {
            String id = args[i];
            RuntimeDriver d = Runtimes.all().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
            Availability a = d.probe(new ProbeContext(builder, limits));
            if (!a.available()) {
                System.out.println("SKIP " + id + " " + a.reason());
                continue;
            }
            LaunchSpec spec = LaunchSpec.builder("isobench-flood-" + Trials.safeName(id) + "-" + ProcessHandle.current().pid(),
                    image, limits).argv(List.of(image.tools().get("busybox"), "head", "-c", "1073741824", "/dev/zero"))
                    .onLine((line, t) -> { }).build();
            long t0 = System.nanoTime();
            try (Sandbox s = d.launch(spec)) {
                ProcResult r = s.await(Duration.ofMinutes(5));
                System.out.println("RESULT " + id + " exit=" + r.exitCode() + " timedOut=" + r.timedOut()
                        + " overflow=" + r.stderr().contains(Launched.overflowMessage()) + " stdoutChars=" + r.stdout().length()
                        + " seconds=" + (System.nanoTime() - t0) / 1_000_000_000L);
            }
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.println("HEAP " + id + " used=" + ((rt.totalMemory() - rt.freeMemory()) >> 20) + "MiB max="
                    + (rt.maxMemory() >> 20) + "MiB");
        }
        System.out.flush();
        System.exit(0);
    }
}
