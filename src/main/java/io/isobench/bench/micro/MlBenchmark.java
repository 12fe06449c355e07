package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark;
import io.isobench.bench.Metric;
import io.isobench.bench.ParamSpec;
import io.isobench.bench.Params;
import io.isobench.bench.Sample;
import io.isobench.bench.TrialContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU deep-learning throughput, as the papers' TensorFlow ResNet-50 training on synthetic ImageNet: Debian's PyTorch
 * (python3-torch 1.13, python3-torchvision) runs a small driver script ({@code ml/isobench_ml.py}, a data file of the
 * image) on one random batch with randomly initialised weights, so nothing is downloaded. The first batch is the
 * warm-up, timed apart; images/s counts the measured batches only.
 */
public final class MlBenchmark extends CommandBenchmark {
    public static final Metric IMAGES_PER_SECOND = new Metric("images_per_second", "images/s", true);
    public static final Metric FIRST_BATCH = new Metric("first_batch_s", "s", false);
    static final String PYTHON = "/usr/bin/python3";
    static final String SCRIPT = "ml/isobench_ml.py";
    /** Debian 12's interpreter: its standard library (with lib-dynload) is part of the image. */
    static final String STDLIB = "/usr/lib/python3.11";
    static final String DIST = "/usr/lib/python3/dist-packages/";
    /** What `import torch, torchvision` loads from dist-packages on Debian 12 (checked with sys.modules). */
    static final List<String> PACKAGES = List.of("torch", "torchvision", "numpy", "PIL", "typing_extensions.py",
            "astunparse", "six.py", "requests", "urllib3", "chardet", "charset_normalizer", "idna", "certifi");

    @Override
    public String id() {
        return "ml";
    }

    @Override
    public String description() {
        return "PyTorch CPU training or inference (ResNet-50 by default) on synthetic images, images/s";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.choice("model", "resnet50", false, "network (random weights): resnet50 as in the papers, "
                        + "resnet18, mobilenet_v2, or tiny (a 3-layer CNN on 64x64 images, for tests)",
                        "resnet50", "resnet18", "mobilenet_v2", "tiny"),
                ParamSpec.choice("mode", "train", false, "train (forward, backward, SGD step) or inference (forward only)",
                        "train", "inference"),
                ParamSpec.of("batch", "4", ParamSpec.Type.INT, "images per batch (the papers: 32)").range(1, 4096),
                ParamSpec.of("batches", "3", ParamSpec.Type.INT, "measured batches after the warm-up batch (the papers: 100)")
                        .range(1, 100_000),
                ParamSpec.of("threads", "0", ParamSpec.Type.INT, "torch threads; 0: one per CPU the sandbox may use "
                        + "(the pinned set, else every host CPU)").range(0, 4096),
                ParamSpec.choice("allocator", "keep", false, "keep: glibc keeps freed memory (no mmap/munmap of every "
                        + "batch's tensors, as a framework's caching allocator); glibc: its defaults, where page faults "
                        + "of re-mapped tensors can dominate", "keep", "glibc"));
    }

    @Override
    public Set<String> tools() {
        return Set.of(PYTHON);
    }

    @Override
    public Set<String> hostFiles() {
        Set<String> s = new java.util.TreeSet<>();
        s.add(STDLIB);
        PACKAGES.forEach(p -> s.add(DIST + p));
        return s;
    }

    @Override
    public Map<String, String> imageFiles() {
        return Map.of(SCRIPT, script());
    }

    static String script() {
        try (InputStream in = MlBenchmark.class.getResourceAsStream("/" + SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + SCRIPT);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Metric> metrics() {
        return List.of(IMAGES_PER_SECOND, FIRST_BATCH);
    }

    @Override
    public boolean runByDefault() {
        return false;
    }

    @Override
    public List<Params> cases(Params resolved) {
        return List.of(resolved);
    }

    /** Seconds per image on one loaded 2-core host (measured, rounded up); a TCG guest's is stretched ({@link #cpuBoundDuration}). */
    static double secondsPerImage(String model, boolean train) {
        double s = switch (model) {
            case "resnet50" -> 0.6;
            case "resnet18" -> 0.25;
            case "mobilenet_v2" -> 0.2;
            default -> 0.02;
        };
        return train ? s : s / 3;
    }

    @Override
    public Duration expectedDuration(Params p) {
        double perImage = secondsPerImage(p.get("model"), p.get("mode").equals("train"));
        double s = 10 + perImage * p.getLong("batch") * (p.getLong("batches") + 4); // import, warm-up batch counted as 4
        return Duration.ofMillis((long) (s * 1000));
    }

    /**
     * All of it: the import and every batch are CPU work. In a TCG guest SIMD is emulated, and batches took 68 times the
     * host's time where the probe's loop took 25 (mobilenet_v2 training in a microvm here); the per-image figures
     * below, a loaded host's (5 times an idle one's), hold that margin.
     */
    @Override
    public Duration cpuBoundDuration(Params p) {
        return expectedDuration(p);
    }

    @Override
    protected List<String> command(TrialContext ctx) {
        Params p = ctx.params();
        long threads = p.getLong("threads");
        if (threads == 0) {
            threads = ctx.limits().cpuCount();
        }
        return List.of(ctx.image().tools().get(PYTHON), "-E", "-s", "-B", ctx.image().dataFiles().get(SCRIPT),
                p.get("model"), p.get("mode"), p.get("batch"), p.get("batches"), Long.toString(threads));
    }

    /**
     * {@code allocator=keep}: glibc's mmap threshold and trim threshold raised so that each batch reuses the heap
     * instead of mapping and unmapping its large tensors (PyTorch's CPU allocator caches nothing). Measured on a loaded
     * 2-core VM host, tiny model: 31-44 images/s with glibc's defaults, 89-149 kept, while runsc (whose sentry serves
     * faults from its own memory file) ran 140 either way: the defaults measure the host's page-fault path, not
     * the model's compute.
     */
    @Override
    protected Map<String, String> env(TrialContext ctx) {
        if (!ctx.params().get("allocator").equals("keep")) {
            return Map.of();
        }
        return KEEP_MEMORY;
    }

    static final Map<String, String> KEEP_MEMORY = Map.of(
            "MALLOC_MMAP_THRESHOLD_", "4294967296", "MALLOC_TRIM_THRESHOLD_", "4294967296",
            "MALLOC_TOP_PAD_", "268435456");

    @Override
    protected List<Sample> parse(String stdout, Params params) throws ParseException {
        MlOutput o = MlOutput.parse(stdout);
        o.check(params.get("model"), params.get("mode"), params.getLong("batch"), params.getLong("batches"));
        return List.of(new Sample(IMAGES_PER_SECOND, o.imagesPerSecond()), new Sample(FIRST_BATCH, o.firstBatchSeconds()));
    }
}
