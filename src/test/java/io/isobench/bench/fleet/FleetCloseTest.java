package io.isobench.bench.fleet;

import io.isobench.bench.Params;
import io.isobench.bench.TrialContext;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Fleet.close() waits for every launch still under way, also when interrupted, and closes what they started. */
class FleetCloseTest {
    /** Launches block until released; counts sandboxes opened and closed. */
    static class Gate implements RuntimeDriver {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered;
        final AtomicInteger open = new AtomicInteger();

        Gate(int n) {
            entered = new CountDownLatch(n);
        }

        public String id() {
            return "gate";
        }

        public String kind() {
            return "container";
        }

        public String description() {
            return "test";
        }

        public Availability probe(ProbeContext ctx) {
            throw new UnsupportedOperationException();
        }

        public Sandbox launch(LaunchSpec spec) {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            open.incrementAndGet();
            return new Sandbox() {
                private boolean closed;

                public String id() {
                    return spec.name();
                }

                public long launchedAtNanos() {
                    return System.nanoTime();
                }

                public ProcResult await(Duration timeout) {
                    throw new UnsupportedOperationException();
                }

                public long exitedAtNanos() {
                    return -1;
                }

                public List<Long> hostPids() {
                    return List.of();
                }

                public synchronized void close() {
                    if (!closed) {
                        closed = true;
                        open.decrementAndGet();
                    }
                }
            };
        }
    }

    @Test
    void closeWaitsForLaunchesUnderWayEvenWhenInterrupted() throws Exception {
        Gate gate = new Gate(8);
        TrialContext ctx = new TrialContext(gate, null, new Limits(1, 64L << 20), new Params(Map.of()),
                Duration.ofSeconds(30), "isobench-test-fleet");
        Fleet fleet = new Fleet(ctx, 8, List.of("true"));
        fleet.launch(0, 8, Duration.ZERO);
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt(); // Ctrl-C arrived: close must still wait for the 8 launches
            fleet.close();
        });
        closer.join(500);
        assertThat(closer.isAlive()).as("close() waits while launches are under way").isTrue();
        gate.release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(gate.open).as("sandboxes left open after close()").hasValue(0);
    }

    /**
     * A workload's first line can come before the launch call returns (runc start returns after the container ran):
     * when that made the last instance ready and the trial closed the fleet before the call returned, the instance was
     * counted as "launched after the trial ended" although it was ready.
     */
    @Test
    void anInstanceReadyBeforeItsLaunchReturnedIsNotCountedAsLateWhenTheFleetClosesMeanwhile() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger open = new AtomicInteger();
        Gate driver = new Gate(2) {
            @Override
            public Sandbox launch(LaunchSpec spec) {
                spec.onLine().line("ready", System.nanoTime()); // ready before the call returns
                try {
                    closed.await(10, TimeUnit.SECONDS); // the trial ends and closes the fleet meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                release.countDown();
                return super.launch(spec);
            }
        };
        TrialContext ctx = new TrialContext(driver, null, new Limits(1, 64L << 20), new Params(Map.of()),
                Duration.ofSeconds(30), "isobench-test-fleet");
        Fleet fleet = new Fleet(ctx, 2, List.of("true"));
        fleet.launchAt(System.nanoTime(), new long[]{0, 0});
        assertThat(fleet.awaitReady(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
        Thread closer = Thread.ofPlatform().start(fleet::close);
        Thread.sleep(200); // close() has set its flag and waits for the launches under way
        closed.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        for (int i = 0; i < 2; i++) {
            assertThat(fleet.ready(i)).isTrue();
            assertThat(fleet.launchError(i)).as("instance " + i).isNull();
        }
        assertThat(driver.open).as("sandboxes left open after close()").hasValue(0);
    }
}
