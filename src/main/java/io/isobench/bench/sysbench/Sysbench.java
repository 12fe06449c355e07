package io.isobench.bench.sysbench;

import java.time.Duration;

/** Small helpers shared by the sysbench-based benchmarks. */
public final class Sysbench {
    private Sysbench() {
    }

    /** sysbench's --time takes whole seconds; anything below one second is rounded up to one. */
    public static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
