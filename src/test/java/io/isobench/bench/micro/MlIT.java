package io.isobench.bench.micro;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ml benchmark for real with the tiny model: Debian's PyTorch runs from the workload image (interpreter, standard
 * library, torch's trees and their shared libraries) natively, in runc and in runsc, and reports images/s.
 */
class MlIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(Files.isRegularFile(Path.of("/usr/lib/python3/dist-packages/torch/__init__.py")),
                "python3-torch not installed (scripts/test-deps.sh installs it)");
    }

    @Test
    void tinyModelTrainsInNativeRuncAndRunsc() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc,runsc", "test").top("benchmarks", "ml", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("ml.model=tiny", "test").set("ml.batch=4", "test").set("ml.batches=3", "test")
                .set("ml.threads=1", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id;
        ImageBuilder images = new ImageBuilder(dir.resolve("images"));
        try (Store store = Store.open(dir.resolve("ml.db"))) {
            id = new RunService(store, images, new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            List<ResultStats> stats = Summary.of(run, "native");
            for (String rt : List.of("native", "runc", "runsc")) {
                ResultStats ips = stats.stream().filter(s -> s.runtime().equals(rt)
                        && s.metric().equals(MlBenchmark.IMAGES_PER_SECOND.name())).findFirst().orElseThrow();
                assertThat(ips.median()).as(rt).isPositive();
                assertThat(stats).as(rt).anyMatch(s -> s.runtime().equals(rt)
                        && s.metric().equals(MlBenchmark.FIRST_BATCH.name()) && s.median() > 0);
            }
            // the image's size is recorded with the run (torch's trees make it hundreds of MB)
            @SuppressWarnings("unchecked")
            Map<String, Object> img = (Map<String, Object>) run.header().tools().get("workload_image");
            assertThat(((Number) img.get("bytes")).longValue()).isGreaterThan(100L << 20);
            System.out.println("ml image: " + img);
        }
        for (String raw : IntegrationSupport.trialRawOutputs(dir.resolve("ml.db"), id, "ml")) {
            assertThat(raw).contains("model tiny mode train batch 4", "batches_done 3", "threads 1");
            System.out.println(raw.lines().filter(l -> l.startsWith("images_per_second") || l.startsWith("first_batch_s")
                    || l.startsWith("import_s")).toList());
        }
        IntegrationSupport.assertNothingLeft("isobench-" + id);
    }
}
