package io.isobench.fleet.slurm;

import io.isobench.fleet.FleetJob;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One node's batch job: the sbatch argv (options only; the script goes on sbatch's stdin, so no file is written) and
 * the batch script, which only {@code exec}s the node agent. Every argument of the script is single-quoted for sh, so
 * no value of the user's (a --set value, a database URL) is ever interpreted by a shell; the exec line is the first
 * command, so sbatch reads no {@code #SBATCH} directive from an argument that contains a newline.
 */
final class SlurmBatch {
    /**
     * Environment variables sbatch exports to the job when they are set here ({@code --export=NAMES}: only these, so
     * the job's environment is known): the tools' PATH, and where the node finds the store's password. The password
     * itself never appears in the script or the argv.
     */
    static final List<String> EXPORTED = List.of("PATH", "HOME", "LANG", "JAVA_HOME", "PGPASSWORD", "PGPASSFILE",
            "PGSERVICEFILE", "ISOBENCH_DB_PASSWORD_FILE", "XDG_CACHE_HOME", "XDG_DATA_HOME");

    private SlurmBatch() {
    }

    /** sbatch's argv for the node's job (the script on stdin). */
    static List<String> sbatchArgv(FleetJob job, String node, Map<String, String> env, java.nio.file.Path outputDir) {
        List<String> a = new ArrayList<>(List.of("sbatch", "--parsable", "--exclusive", "--nodes=1",
                "--nodelist=" + node, "--job-name=" + job.jobName(), "--time=" + minutes(job.deadline()),
                "--output=" + output(job, node, outputDir)));
        List<String> names = EXPORTED.stream().filter(env::containsKey).toList();
        a.add("--export=" + (names.isEmpty() ? "NONE" : String.join(",", names)));
        return List.copyOf(a);
    }

    /**
     * Where the job's stdout and stderr go: {@code DIR/FLEET_ID/NODE.out}, a path the submitting user owns that the node
     * writes to and the submitting host reads back (a shared home or file system, as Slurm clusters have); Slurm opens
     * it on the node as the job's user and does not create its directory ({@link SlurmEngine#submit} does). No
     * Slurm filename pattern applies: the engine refuses a DIR with '%' or '\\'; node names and fleet ids have none.
     */
    static java.nio.file.Path output(FleetJob job, String node, java.nio.file.Path outputDir) {
        return outputDir.resolve(job.fleetId()).resolve(node + ".out");
    }

    /** Slurm's --time in whole minutes, rounded up (at least 1). */
    static long minutes(Duration d) {
        return Math.max(1, (d.toSeconds() + 59) / 60);
    }

    /** Where the agent reads the plan: the script's here-document on its standard input. */
    static final String PLAN_PATH = "/dev/stdin";

    /**
     * The batch script: one {@code exec} of the agent; with a plan file, its text follows as a here-document on the
     * agent's standard input ({@code --plan /dev/stdin}) under a quoted delimiter that no line of the text equals, so sh
     * expands nothing in it, and it needs no file the node shares with this host.
     */
    static String script(FleetJob job, String node, List<String> launcher) {
        List<String> argv = new ArrayList<>(launcher);
        argv.addAll(job.agentArgs(node, PLAN_PATH));
        StringBuilder sb = new StringBuilder("#!/bin/sh\n");
        sb.append("# isobench fleet ").append(job.fleetId().replaceAll("\\p{Cntrl}", "?")).append(": the node agent of ")
                .append(node.replaceAll("\\p{Cntrl}", "?"))
                .append(" (its run goes to the team store)\n");
        sb.append("exec");
        for (String s : argv) {
            sb.append(' ').append(quote(s));
        }
        if (job.plan() == null) {
            return sb.append('\n').toString();
        }
        String text = job.plan().text().endsWith("\n") || job.plan().text().isEmpty() ? job.plan().text()
                : job.plan().text() + "\n";
        String delimiter = delimiter(text);
        return sb.append(" <<'").append(delimiter).append("'\n").append(text).append(delimiter).append('\n').toString();
    }

    /** A here-document delimiter that is no line of {@code text}. */
    static String delimiter(String text) {
        java.util.Set<String> lines = new java.util.HashSet<>(text.lines().toList());
        String d = "ISOBENCH_PLAN_EOF";
        for (int i = 1; lines.contains(d); i++) {
            d = "ISOBENCH_PLAN_EOF_" + i;
        }
        return d;
    }

    /**
     * A word for sh: as is when made only of characters no shell treats specially, else in single quotes with each '
     * as '\'' (nothing inside single quotes is special to sh).
     */
    static String quote(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL byte cannot be passed as an argument");
        }
        if (SAFE.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static final java.util.regex.Pattern SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");
}
