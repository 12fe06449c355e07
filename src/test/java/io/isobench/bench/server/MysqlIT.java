package io.isobench.bench.server;

import io.isobench.IntegrationSupport;
import io.isobench.analysis.ResultStats;
import io.isobench.analysis.Summary;
import io.isobench.plan.Plan;
import io.isobench.plan.PlanLoader;
import io.isobench.store.StoredRun;
import io.isobench.util.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MariaDB for real in native and runc with tiny tables: bootstrap inside the sandbox on its scratch storage, sysbench
 * from the host, both tests measured; no sandbox, netns or data directory is left.
 */
class MysqlIT {
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path dir;

    @BeforeAll
    static void root() {
        assumeTrue(IntegrationSupport.isRoot(), "integration tests need root");
        for (String t : List.of("mariadbd", "mariadb", "sysbench")) {
            assumeTrue(Tools.which(t) != null, t + " not installed");
        }
    }

    @Test
    void oltpInNativeAndRunc() throws Exception {
        Plan plan = new PlanLoader().top("runtimes", "native,runc", "test").top("benchmarks", "mysql", "test")
                .top("repetitions", "1", "test").top("warmups", "0", "test").top("cooldown", "0s", "test")
                .set("mysql.tables=1", "test").set("mysql.table_size=500", "test").set("mysql.threads=2", "test")
                .set("mysql.time=2s", "test").set("mysql.warmup=1s", "test").build();
        List<String> raw = new ArrayList<>();
        StoredRun run = ServersIT.run(dir, plan, "m.db", raw);
        List<ResultStats> stats = Summary.of(run, "native");
        for (String rt : List.of("native", "runc")) {
            for (String test : List.of("oltp_read_write", "oltp_read_only")) {
                assertThat(ServersIT.median(stats, "mysql", rt, "transactions_per_second", "test", test)).as(rt + " " + test)
                        .isPositive();
                assertThat(ServersIT.median(stats, "mysql", rt, "queries_per_second", "test", test)).isPositive();
                assertThat(ServersIT.median(stats, "mysql", rt, "latency_p95_ms", "test", test)).isPositive();
            }
        }
        assertThat(raw).hasSize(4).allSatisfy(r -> assertThat(r).contains("isobench: server data on ")
                .contains("isobench: bootstrap done").contains("isobench: prepared 1 tables x 500 rows"));
    }
}
