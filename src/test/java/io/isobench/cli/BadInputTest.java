package io.isobench.cli;

import io.isobench.store.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad input through the real CLI (in-process through {@link Main#execute}): exit 2, exactly one line on stderr,
 * no stack trace, no database created, an existing database byte-identical. Placeholders: {db} an existing database
 * with no runs, {new} a path where no database exists, {dir} a directory, {plan:NAME} a plan file from {@link #PLANS}.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path db;
    static byte[] dbBytes;

    static final List<String[]> PLANS = List.of(
            new String[]{"nan-cpus", "limits:\n  cpus: .nan\n"},
            new String[]{"inf-cpus", "limits:\n  cpus: .inf\n"},
            new String[]{"neg-inf-cpus", "limits:\n  cpus: -.inf\n"},
            new String[]{"zero-memory", "limits:\n  memory: 0\n"},
            new String[]{"spaced-memory", "limits:\n  memory: 2 G\n"},
            new String[]{"overflow-reps", "repetitions: 4294967297\n"},
            new String[]{"float-reps", "repetitions: 3.5\n"},
            new String[]{"nan-reps", "repetitions: .nan\n"},
            new String[]{"spaced-cooldown", "cooldown: 5 s\n"},
            new String[]{"zero-interval", "params:\n  load-profile:\n    interval: 0\n"},
            new String[]{"huge-rate", "params:\n  load-profile:\n    rate: 1000000000\n"},
            new String[]{"overflow-instances", "params:\n  footprint:\n    instances: 4294967297\n"},
            new String[]{"nan-ci", "ci_target: .nan\n"},
            new String[]{"subnet-host-bits", "subnet: 198.19.0.1/16\n"},
            new String[]{"runsc-not-executable", "runsc:\n  binary: /etc/hostname\n"},
            new String[]{"runsc-not-runsc", "runsc:\n  binary: /bin/true\n"},
            new String[]{"runsc-unknown-key", "runsc:\n  path: /bin/true\n"},
            new String[]{"runsc-not-mapping", "runsc: /bin/true\n"},
            new String[]{"cpuset-item", "cpuset: [none, x]\n"},
            new String[]{"cpuset-map", "cpuset: {a: 1}\n"},
            new String[]{"numa-node", "numa: node:77\n"});

    static Stream<List<String>> inputs() {
        List<List<String>> l = new ArrayList<>();
        // numbers that overflow, NaN, Infinity, signs and exponents
        for (String cpus : List.of("NaN", "Infinity", "-Infinity", "-1", "0", "1e3", "0x10", "99999999999999999999", "1,5", "2 ")) {
            if (!cpus.equals("2 ")) {
                l.add(List.of("run", "--cpus", cpus, "--db", "{new}"));
            }
        }
        for (String mem : List.of("0", "0M", "1 G", "2 GiB", "-1G", "NaN", "99999999T", "1e9", "100000000000000000000")) {
            l.add(List.of("run", "--memory", mem, "--db", "{new}"));
        }
        for (String reps : List.of("4294967297", "0", "-3", "1.5", "auto:4294967297", "auto:2", "NaN", "9999999")) {
            l.add(List.of("run", "--repetitions", reps, "--db", "{new}"));
        }
        l.add(List.of("run", "--warmups", "99999999999", "--db", "{new}"));
        l.add(List.of("run", "--warmups", "-1", "--db", "{new}"));
        for (String d : List.of("5 s", "99999999999h", "NaN", "-1s", "1d", "Infinity")) {
            l.add(List.of("run", "--cooldown", d, "--db", "{new}"));
        }
        for (String runsc : List.of("/nonexistent/runsc", "/etc", "/bin/true", "")) {
            l.add(List.of("run", "--runsc-binary", runsc, "--db", "{new}"));
        }
        for (String subnet : List.of("198.18.0.1/15", "198.18.0.0/30", "fd00::/8", "127.0.0.0/16", "300.1.0.0/16", "10.0.0.0")) {
            l.add(List.of("run", "--subnet", subnet, "--db", "{new}"));
        }
        for (String set : List.of("", "a", "0-", "3-1", "0,,1", "0-99999", "4096", "0 1", "none;x")) {
            l.add(List.of("run", "--cpuset", set, "--db", "{new}"));
        }
        for (String numa : List.of("node", "node:", "node:-1", "node:99", "all", "node:1x")) {
            l.add(List.of("run", "--numa", numa, "--db", "{new}"));
        }
        l.add(List.of("run", "--preset", "ml-fast", "--db", "{new}"));
        l.add(List.of("run", "--quick", "--preset", "ml-paper", "--db", "{new}"));
        for (String set : List.of("ml.model=vgg16", "ml.mode=eval", "ml.batch=0", "ml.batches=0", "ml.threads=-1")) {
            l.add(List.of("run", "--set", set, "--db", "{new}"));
        }
        l.add(List.of("run", "--timeout", "0", "--db", "{new}"));
        l.add(List.of("run", "--timeout", "1 m", "--db", "{new}"));
        for (String ci : List.of("NaN", "0", "150%", "Infinity", "1e-2")) {
            l.add(List.of("run", "--ci-target", ci, "--db", "{new}"));
        }
        // benchmark parameters: zero where zero means nothing, absurd counts, spaces, overflow
        for (String set : List.of("load-profile.interval=0", "load-profile.rate=0", "load-profile.rate=2000000000",
                "footprint.instances=4294967297", "footprint.instances=0", "startup.instances=1,4294967297",
                "startup.instances=1,,2", "startup.instances=4,", "cpu.time=10 s", "memory.block_size=1 K",
                "memory.total_size=99999999999T", "cpu.max_prime=9223372036854775808", "cpu.threads=-1",
                "nginx.requests=NaN", "startup.delay=1 ms", "startup.iterations=0")) {
            l.add(List.of("run", "--set", set, "--db", "{new}"));
        }
        l.add(List.of("run", "--set", "load-profile.rate=100000", "--set", "load-profile.load=1h", "--db", "{new}"));
        for (String[] p : PLANS) {
            l.add(List.of("run", "--plan", "{plan:" + p[0] + "}", "--db", "{new}"));
        }
        // study validates before it installs anything
        l.add(List.of("study", "--no-install", "--cpus", "NaN", "--db", "{new}"));
        l.add(List.of("study", "--no-install", "--db", "postgresql://user@localhost/isobench"));
        // a PostgreSQL URL is a store, not a path: without credentials the server refuses, in one line
        l.add(List.of("run", "--db", "postgresql://user@localhost/isobench"));
        l.add(List.of("show", "latest", "--db", "postgresql://localhost/isobench"));
        l.add(List.of("list", "--db", "jdbc:sqlite:isobench.db"));
        // read-only commands never create a database
        l.add(List.of("show", "latest", "--db", "{new}"));
        l.add(List.of("list", "--db", "{new}"));
        l.add(List.of("export", "latest", "--db", "{new}"));
        l.add(List.of("report", "latest", "--db", "{new}"));
        l.add(List.of("compare", "a", "b", "--db", "{new}"));
        l.add(List.of("show", "latest", "--db", "{dir}"));
        // on an existing database: it stays byte-identical
        for (String t : List.of("NaN", "Infinity", "-5%", "1e400", "five")) {
            l.add(List.of("compare", "a", "b", "--threshold", t, "--db", "{db}"));
        }
        l.add(List.of("report", "latest", "--out", "{dir}", "--db", "{db}"));
        l.add(List.of("report", "latest", "--format", "pdf", "--db", "{db}"));
        l.add(List.of("export", "latest", "--format", "xml", "--db", "{db}"));
        l.add(List.of("show", "nope", "--db", "{db}"));
        l.add(List.of("run", "--repititions", "3", "--db", "{new}"));
        return l.stream().map(BadInputTest::small);
    }

    /**
     * A run or study row gets the smallest valid plan for every setting it does not test itself, so that on a build
     * where the bad input slips through, the test fails after a 1 s native run instead of a long one.
     */
    static List<String> small(List<String> row) {
        if (!row.get(0).equals("run") && !row.get(0).equals("study")) {
            return row;
        }
        List<String> r = new ArrayList<>(row);
        String[][] safe = {{"--runtimes", "native"}, {"--benchmarks", "cpu"}, {"--repetitions", "1"}, {"--warmups", "0"},
                {"--cooldown", "0s"}, {"--timeout", "30s"}};
        for (String[] s : safe) {
            if (!row.contains(s[0])) {
                r.add(s[0]);
                r.add(s[1]);
            }
        }
        if (row.stream().noneMatch(a -> a.startsWith("cpu."))) {
            r.addAll(List.of("--set", "cpu.time=1s"));
        }
        if (!row.contains("--db")) {
            r.addAll(List.of("--db", "{new}"));
        }
        return r;
    }

    @BeforeAll
    static void database() throws Exception {
        db = dir.resolve("existing.db");
        try (Store s = Store.open(db)) {
            s.listRuns();
        }
        dbBytes = Files.readAllBytes(db);
        for (String[] p : PLANS) {
            Files.writeString(dir.resolve(p[0] + ".yaml"), p[1]);
        }
    }

    @AfterAll
    static void noUrlDirectories() {
        assertThat(Path.of("postgresql:")).doesNotExist();
        assertThat(Path.of("jdbc:sqlite:isobench.db")).doesNotExist();
    }

    @Test
    void atLeastSixtyInputs() {
        assertThat(inputs().count()).isGreaterThanOrEqualTo(60);
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void oneLineExitTwoNothingWritten(List<String> template) throws Exception {
        Path fresh = dir.resolve("fresh-" + Math.abs(template.hashCode()) + ".db");
        String[] args = template.stream().map(a -> a.equals("{db}") ? db.toString() : a.equals("{new}") ? fresh.toString()
                : a.equals("{dir}") ? dir.toString() : a.startsWith("{plan:")
                ? dir.resolve(a.substring(6, a.length() - 1) + ".yaml").toString() : a).toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        String e = err.toString();
        assertThat(code).as("exit code of %s (stderr: %s)", Arrays.toString(args), e).isEqualTo(2);
        assertThat(e.lines().toList()).as("stderr of %s", Arrays.toString(args)).hasSize(1);
        assertThat(e).startsWith("isobench: ").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(fresh).as("no database created by %s", Arrays.toString(args)).doesNotExist();
        assertThat(fresh.getParent().resolve("postgresql:")).doesNotExist();
        assertThat(Files.readAllBytes(db)).as("database unchanged by %s", Arrays.toString(args)).isEqualTo(dbBytes);
    }
}
