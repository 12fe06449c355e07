package io.isobench.plan;

import io.isobench.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        Plan p = new PlanLoader().build();
        assertThat(p.repetitions()).isEqualTo(5);
        assertThat(p.warmups()).isEqualTo(1);
        assertThat(p.cooldown()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.runtimes()).isEmpty();
        assertThat(p.benchmarks()).containsExactly("cpu", "memory");
        assertThat(p.params().get("cpu").get("max_prime")).isEqualTo("20000");
        assertThat(p.params().get("memory").get("access_mode")).isEqualTo("seq,rnd");
        assertThat(p.baseline()).isEqualTo("native");
        assertThat(p.trialTimeout(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void layersDefaultsThenPresetThenFileThenFlags() throws Exception {
        Path f = dir.resolve("plan.yaml");
        Files.writeString(f, """
                runtimes: [native, runc]
                repetitions: 7
                cooldown: 3s
                limits: {cpus: 1, memory: 512M}
                params:
                  cpu: {max_prime: 10000, time: 4s}
                  memory: {access_mode: [rnd]}
                """);
        Plan p = new PlanLoader().preset("quick").file(f)
                .top("repetitions", "9", "--repetitions").set("cpu.time=6s", "--set").build();
        assertThat(p.repetitions()).isEqualTo(9);                     // flag over file
        assertThat(p.cooldown()).isEqualTo(Duration.ofSeconds(3));    // file over preset (1s)
        assertThat(p.warmups()).isEqualTo(1);                         // preset
        assertThat(p.runtimes()).containsExactly("native", "runc");
        assertThat(p.limits().cpus()).isEqualTo(1.0);
        assertThat(p.limits().memoryBytes()).isEqualTo(512L << 20);
        assertThat(p.params().get("cpu").get("max_prime")).isEqualTo("10000");
        assertThat(p.params().get("cpu").get("time")).isEqualTo("6s");
        assertThat(p.params().get("memory").get("access_mode")).isEqualTo("rnd");
        assertThat(p.params().get("memory").get("time")).isEqualTo("5s"); // preset
        assertThat(p.toMap()).containsEntry("repetitions", 9).containsEntry("preset", "quick");
    }

    @Test
    void mlPaperPresetIsThePapersResnet50TrainingAndFlagsStillOverride() {
        Plan p = new PlanLoader().preset("ml-paper").build();
        assertThat(p.benchmarks()).containsExactly("ml");
        assertThat(p.params().get("ml").values()).containsEntry("model", "resnet50").containsEntry("mode", "train")
                .containsEntry("batch", "32").containsEntry("batches", "100");
        assertThat(p.toMap()).containsEntry("preset", "ml-paper");
        assertThat(new PlanLoader().preset("ml-paper").set("ml.batches=5", "--set").build().params().get("ml").get("batches"))
                .isEqualTo("5");
        assertThat(new PlanLoader().build().params()).doesNotContainKey("ml"); // not run by default
    }

    @Test
    void quickPresetShortensNetworkTrials() {
        assertThat(new PlanLoader().top("benchmarks", "network", "test").build().params().get("network").get("time"))
                .isEqualTo("10s");
        assertThat(new PlanLoader().preset("quick").top("benchmarks", "network", "test").build().params().get("network")
                .get("time")).isEqualTo("5s");
    }

    @Test
    void adaptiveRepetitions() {
        Plan p = new PlanLoader().top("repetitions", "auto", "--repetitions").build();
        assertThat(p.adaptive()).isEqualTo(new Plan.Adaptive(5, 30, 0.02));
        assertThat(p.maxRepetitions()).isEqualTo(30);
        assertThat(p.toMap()).containsEntry("repetitions", "auto:30");
        Plan q = new PlanLoader().top("repetitions", "auto:12", "--repetitions").top("ci_target", "1.5%", "--ci-target").build();
        assertThat(q.adaptive()).isEqualTo(new Plan.Adaptive(5, 12, 0.015));
        assertThat(new PlanLoader().top("repetitions", "auto", "x").top("repetitions", "7", "y").build().adaptive()).isNull();
        assertThatThrownBy(() -> new PlanLoader().top("repetitions", "auto:3", "--repetitions")).hasMessageContaining("at least 5");
        assertThatThrownBy(() -> new PlanLoader().top("ci_target", "150%", "--ci-target")).hasMessageContaining("between 0% and 100%");
        assertThatThrownBy(() -> new PlanLoader().top("ci_target", "tight", "--ci-target")).hasMessageContaining("not a percentage");
    }

    @Test
    void mistakesNameTheirSource() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "repetitons: 3\n");
        assertThatThrownBy(() -> new PlanLoader().file(f)).isInstanceOf(UserException.class)
                .hasMessageContaining("bad.yaml").hasMessageContaining("unknown key 'repetitons'");
        Files.writeString(f, "runtimes: [native, dokker]\n");
        assertThatThrownBy(() -> new PlanLoader().file(f)).hasMessageContaining("unknown runtime 'dokker'");
        Files.writeString(f, "params: {cpu: {max_prime: many}}\n");
        assertThatThrownBy(() -> new PlanLoader().file(f)).hasMessageContaining("cpu.max_prime: not a whole number");
        Files.writeString(f, "repetitions: [1, 2\n");
        assertThatThrownBy(() -> new PlanLoader().file(f)).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> new PlanLoader().file(dir.resolve("missing.yaml"))).hasMessageContaining("cannot read plan file");
    }

    @Test
    void flagMistakes() {
        assertThatThrownBy(() -> new PlanLoader().top("repetitions", "five", "--repetitions"))
                .isInstanceOf(UserException.class).hasMessage("--repetitions: not a whole number: 'five'");
        assertThatThrownBy(() -> new PlanLoader().top("repetitions", "0", "--repetitions")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new PlanLoader().set("cpu.primes=5", "--set")).hasMessageContaining("has no parameter 'primes'");
        assertThatThrownBy(() -> new PlanLoader().set("gpu.x=5", "--set")).hasMessageContaining("unknown benchmark 'gpu'");
        assertThatThrownBy(() -> new PlanLoader().set("cpu", "--set")).hasMessageContaining("expected bench.key=value");
        assertThatThrownBy(() -> new PlanLoader().set("memory.access_mode=seq,diagonal", "--set"))
                .hasMessageContaining("'diagonal' is not one of seq, rnd");
        assertThatThrownBy(() -> new PlanLoader().preset("slow")).hasMessageContaining("unknown preset");
        assertThatThrownBy(() -> new PlanLoader().set("memory.block_size=1K,huge", "--set")).hasMessageContaining("not a size: 'huge'");
    }

    @Test
    void diskIsTheGroupOfFioDdAndFileioAndItsSettingsReachEveryMemberThatHasTheKey() {
        Plan p = new PlanLoader().top("benchmarks", "cpu,disk,disk-dd", "test")
                .set("disk.size=16M", "test").set("disk.block=4K", "test").set("disk-fio.pattern=read", "test").build();
        assertThat(p.benchmarks()).containsExactly("cpu", "disk-fio", "disk-dd", "disk-fileio");
        assertThat(p.params().get("disk-fio").get("size")).isEqualTo("16M");
        assertThat(p.params().get("disk-dd").get("size")).isEqualTo("16M");
        assertThat(p.params().get("disk-fileio").get("size")).isEqualTo("16M");
        assertThat(p.params().get("disk-fio").get("block")).isEqualTo("4K");
        assertThat(p.params().get("disk-dd").get("block")).isEqualTo("4K");
        assertThat(p.params().get("disk-fio").get("pattern")).isEqualTo("read");
        assertThatThrownBy(() -> new PlanLoader().set("disk.nonsense=1", "--set"))
                .isInstanceOf(UserException.class).hasMessageContaining("no benchmark of group disk");
    }

    /** run --resume rebuilds the plan from plan_json: the same plan, for presets, adaptive and explicit settings. */
    @Test
    void aStoredPlanRebuildsToTheSamePlan() {
        List<Plan> plans = List.of(new PlanLoader().build(),
                new PlanLoader().preset("quick").top("runtimes", "native,runc", "--runtimes").build(),
                new PlanLoader().top("repetitions", "auto:12", "--repetitions").top("ci_target", "3%", "--ci-target")
                        .top("timeout", "90s", "--timeout").top("limits.cpus", "1.5", "--cpus")
                        .top("limits.memory", "700M", "--memory").top("cooldown", "250ms", "--cooldown")
                        .top("benchmarks", "cpu,redis", "--benchmarks").set("redis.command=get,incr", "--set").build());
        for (Plan p : plans) {
            Map<String, Object> stored = io.isobench.util.Json.readMap(io.isobench.util.Json.write(p.toMap()));
            Plan back = PlanLoader.stored(stored);
            assertThat(back).isEqualTo(p);
            assertThat(back.toMap()).isEqualTo(p.toMap());
        }
    }
}
