package io.isobench.runtime.vm;

import io.isobench.IntegrationSupport;
import io.isobench.exec.RunService;
import io.isobench.image.ImageBuilder;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.proc.WorkDir;
import io.isobench.store.Store;
import io.isobench.store.StoredRun;
import io.isobench.runtime.vm.guest.GuestKernel;
import io.isobench.runtime.vm.guest.ImageDisk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ml benchmark (PyTorch, a ~700 MB image) in a QEMU microVM for real, tiny model: the image's big trees reach
 * the guest on the read-only disk ({@link ImageDisk}), not in the initramfs, and the workload sees them at their paths.
 */
class MlVmIT {
    @TempDir
    static Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        assumeTrue(io.isobench.util.Tools.which("qemu-system-x86_64") != null, "qemu-system-x86 not installed");
        assumeTrue(Files.isRegularFile(Path.of("/usr/lib/python3/dist-packages/torch/__init__.py")),
                "python3-torch not installed (scripts/test-deps.sh installs it)");
    }

    @Test
    void tinyModelTrainsInAMicrovmFromTheReadOnlyImageDisk() throws Exception {
        // no --timeout: the trial's own, from ml's estimate stretched by the probe's CPU slowdown (a TCG guest here)
        Plan plan = new PlanLoader().top("runtimes", "qemu-microvm", "test").top("benchmarks", "ml", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("ml.model=tiny", "test").set("ml.batch=2", "test").set("ml.batches=2", "test")
                .set("ml.threads=1", "test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String id;
        try (Store store = Store.open(dir.resolve("ml.db"))) {
            id = new RunService(store, new ImageBuilder(dir.resolve("images")), new PrintStream(log)).run(plan, false);
            StoredRun run = store.loadRun(id);
            assertThat(run.failures()).as(log.toString()).isEmpty();
            assertThat(run.samples()).filteredOn(s -> s.metric().equals("images_per_second")).singleElement()
                    .satisfies(s -> assertThat(s.value()).isPositive());
            assertThat(run.runtimes()).filteredOn(r -> r.runtime().equals("qemu-microvm")).singleElement()
                    .satisfies(r -> assertThat(String.valueOf(r.details().get("image_tree"))).contains(ImageDisk.HOW));
        }
        for (String raw : IntegrationSupport.trialRawOutputs(dir.resolve("ml.db"), id, "ml")) {
            assertThat(raw).contains("model tiny mode train batch 2", "batches_done 2",
                    "isobench: image_tree=" + ImageDisk.HOW);
            System.out.println(raw.lines().filter(l -> l.startsWith("images_per_second") || l.startsWith("import_s")
                    || l.startsWith("isobench:")).toList());
        }
        assertThat(QemuIT.leftoverQemus()).isEmpty();
        assertThat(QemuIT.leftoverLaunchFiles()).isEmpty();
        Path bulk = WorkDir.scratch().resolve("qemu");
        if (Files.isDirectory(bulk)) {
            try (var s = Files.list(bulk)) {
                assertThat(s.toList()).as("per-launch files in the scratch dir").isEmpty();
            }
        }
        // the cached disk is complete (no build left half-done) and read-only
        Path disks = GuestKernel.defaultCache().resolve("disk");
        try (var s = Files.list(disks)) {
            List<Path> all = s.toList();
            assertThat(all).noneMatch(p -> p.getFileName().toString().startsWith(".build-"));
            assertThat(all).allSatisfy(p -> assertThat(Files.getPosixFilePermissions(p).toString()).doesNotContain("WRITE"));
        }
    }
}
