package io.isobench.proc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CleanupTest {
    @Test
    void runsOnceAndUnregisters() {
        AtomicInteger runs = new AtomicInteger();
        int before = Cleanup.pending();
        Cleanup.Action a = Cleanup.register("t", runs::incrementAndGet);
        assertThat(Cleanup.pending()).isEqualTo(before + 1);
        a.close();
        a.close();
        assertThat(runs).hasValue(1);
        assertThat(Cleanup.pending()).isEqualTo(before);
    }

    @Test
    void disarmedNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        Cleanup.Action a = Cleanup.register("t", runs::incrementAndGet);
        a.disarm();
        a.close();
        assertThat(runs).hasValue(0);
        assertThat(a.isDone()).isTrue();
    }

    /** The shutdown hook must not return while another thread is still inside the same teardown. */
    @Test
    void aSecondCloserWaitsForTheBodyToFinish() throws Exception {
        CountDownLatch inBody = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Cleanup.Action a = Cleanup.register("slow", () -> {
            inBody.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
        });
        Thread first = Thread.ofPlatform().start(a::close);
        assertThat(inBody.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = Thread.ofPlatform().start(a::close);
        second.join(300);
        assertThat(second.isAlive()).as("the second close waits while the body runs").isTrue();
        release.countDown();
        second.join(10_000);
        first.join(10_000);
        assertThat(second.isAlive()).isFalse();
        assertThat(finished).hasValue(1);
    }
}
