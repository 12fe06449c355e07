package io.isobench.bench.micro;

import io.isobench.TestFixtures;
import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;
import io.isobench.image.WorkloadImage;
import io.isobench.runtime.Limits;
import io.isobench.util.CpuSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MlParsingTest {
    private static Params params(String model, String mode, int batch, int batches) {
        return new Params(Map.of("model", model, "mode", mode, "batch", Integer.toString(batch),
                "batches", Integer.toString(batches), "threads", "2"));
    }

    @Test
    void tinyTraining() throws Exception {
        String text = TestFixtures.read("ml/tiny-train.txt");
        List<Sample> s = new MlBenchmark().parse(text, params("tiny", "train", 8, 5));
        assertThat(s).extracting(x -> x.metric()).containsExactly(MlBenchmark.IMAGES_PER_SECOND, MlBenchmark.FIRST_BATCH);
        // the figures exactly as the driver printed them
        assertThat(text).contains(String.format(java.util.Locale.ROOT, "images_per_second %.4f", s.get(0).value()));
        assertThat(text).contains(String.format(java.util.Locale.ROOT, "first_batch_s %.6f", s.get(1).value()));
        assertThat(MlOutput.parse(text).torchVersion()).startsWith("1.13");
    }

    @Test
    void resnetInferenceAndTraining() throws Exception {
        List<Sample> inf = new MlBenchmark().parse(TestFixtures.read("ml/resnet18-inference.txt"),
                params("resnet18", "inference", 2, 3));
        assertThat(inf.get(0).value()).isPositive();
        List<Sample> train = new MlBenchmark().parse(TestFixtures.read("ml/resnet50-train.txt"),
                params("resnet50", "train", 4, 3));
        assertThat(train.get(0).value()).isPositive();
    }

    @Test
    void fewerBatchesThanAskedFailTheCheck() {
        assertThatThrownBy(() -> new MlBenchmark().parse(TestFixtures.read("ml/tiny-train.txt"), params("tiny", "train", 8, 6)))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageContaining("batches_done 5");
    }

    @Test
    void anotherModelOrBatchFailsTheCheck() {
        assertThatThrownBy(() -> new MlBenchmark().parse(TestFixtures.read("ml/tiny-train.txt"), params("resnet18", "train", 8, 5)))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageContaining("model tiny mode train batch 8");
        assertThatThrownBy(() -> new MlBenchmark().parse(TestFixtures.read("ml/tiny-train.txt"), params("tiny", "inference", 8, 5)))
                .isInstanceOf(CommandBenchmark.CheckFailed.class);
        assertThatThrownBy(() -> new MlBenchmark().parse(TestFixtures.read("ml/tiny-train.txt"), params("tiny", "train", 80, 5)))
                .isInstanceOf(CommandBenchmark.CheckFailed.class);
    }

    @Test
    void aKilledRunIsUnexpectedOutputNotASample() {
        assertThatThrownBy(() -> new MlBenchmark().parse(TestFixtures.read("ml/resnet50-train-killed.txt"),
                params("resnet50", "train", 4, 3)))
                .isInstanceOf(CommandBenchmark.ParseException.class)
                .isNotInstanceOf(CommandBenchmark.CheckFailed.class)
                .hasMessageContaining("images_per_second");
    }

    @Test
    void aDivergedLossFailsTheCheck() {
        String text = TestFixtures.read("ml/tiny-train.txt").replaceAll("last_value .*", "last_value nan");
        assertThatThrownBy(() -> new MlBenchmark().parse(text, params("tiny", "train", 8, 5)))
                .isInstanceOf(CommandBenchmark.CheckFailed.class).hasMessageContaining("loss");
    }

    @Test
    void commandRunsDebiansInterpreterOnTheImagesScriptWithOneThreadPerUsableCpu() {
        WorkloadImage image = new WorkloadImage("h".repeat(64), Path.of("/x"), Map.of(MlBenchmark.PYTHON, "/usr/bin/python3"),
                0, 0, List.of(), Map.of(), Map.of(MlBenchmark.SCRIPT, "/c/files/ab/ml/isobench_ml.py"));
        Params p = new Params(Map.of("model", "tiny", "mode", "train", "batch", "8", "batches", "5", "threads", "0"));
        Limits pinned = new Limits(4, 1L << 30).pinned(CpuSet.parse("2-3", "t"), null);
        List<String> argv = new MlBenchmark().command(new TrialContext(null, image, pinned, p, Duration.ofMinutes(1), "n"));
        assertThat(argv).containsExactly("/usr/bin/python3", "-E", "-s", "-B", "/c/files/ab/ml/isobench_ml.py",
                "tiny", "train", "8", "5", "2");
        List<String> unpinned = new MlBenchmark().command(new TrialContext(null, image, new Limits(3, 1L << 30),
                p.with("threads", "7"), Duration.ofMinutes(1), "n"));
        assertThat(unpinned.get(unpinned.size() - 1)).isEqualTo("7");
    }

    @Test
    void allocatorKeepTellsGlibcToKeepFreedMemoryAndGlibcLeavesItsDefaults() {
        WorkloadImage image = new WorkloadImage("h".repeat(64), Path.of("/x"), Map.of(), 0, 0, List.of(), Map.of(), Map.of());
        Params p = new Params(Map.of("model", "tiny", "mode", "train", "batch", "8", "batches", "5", "threads", "1",
                "allocator", "keep"));
        TrialContext keep = new TrialContext(null, image, new Limits(1, 1L << 30), p, Duration.ofMinutes(1), "n");
        assertThat(new MlBenchmark().env(keep)).containsKeys("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_");
        TrialContext glibc = new TrialContext(null, image, new Limits(1, 1L << 30), p.with("allocator", "glibc"),
                Duration.ofMinutes(1), "n");
        assertThat(new MlBenchmark().env(glibc)).isEmpty();
    }

    @Test
    void theImageHoldsTheInterpreterStdlibAndTorchTrees() {
        MlBenchmark b = new MlBenchmark();
        assertThat(b.tools()).containsExactly("/usr/bin/python3");
        assertThat(b.hostFiles()).contains("/usr/lib/python3.11", "/usr/lib/python3/dist-packages/torch",
                "/usr/lib/python3/dist-packages/torchvision", "/usr/lib/python3/dist-packages/numpy");
        assertThat(b.imageFiles().get(MlBenchmark.SCRIPT)).contains("weights=None").contains("images_per_second");
    }
}
