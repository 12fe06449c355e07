package io.isobench;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers for integration tests that drive real runtimes: leftover checks as a user would make them. */
public final class IntegrationSupport {
    private IntegrationSupport() {
    }


    /** The raw output of every trial (successful or failed) of {@code runId} in the database {@code db}, of one benchmark or (null) of all. */
    public static List<String> trialRawOutputs(Path db, String runId, String benchmark) {
        String sql = "SELECT raw_output FROM trials WHERE run_id = ?" + (benchmark == null ? "" : " AND benchmark = ?");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.prepareStatement(sql)) {
            st.setString(1, runId);
            if (benchmark != null) {
                st.setString(2, benchmark);
            }
            List<String> l = new ArrayList<>();
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    l.add(rs.getString(1));
                }
            }
            return l;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Container ids starting with {@code prefix} in a runtime's default state root (what `runc list` shows). */
    public static List<String> leftoverContainers(String runtime, String prefix) {
        ProcResult r = Proc.of(runtime, "list").timeout(Duration.ofSeconds(20)).run();
        if (r.exitCode() == 127) {
            return List.of(); // runtime not installed: nothing can be left in it
        }
        assertThat(r.exitCode()).as(runtime + " list: " + r.combinedOutput()).isZero();
        return r.stdout().lines().skip(1).map(l -> l.strip().split("\\s+")[0])
                .filter(id -> id.startsWith(prefix)).toList();
    }

    /**
     * What runc, crun and runsc keep per container in their state roots, for names starting with {@code prefix}: a
     * create cut short leaves entries there that {@code list} does not show (runc: a directory with only exec.fifo).
     */
    public static List<Path> leftoverStateFiles(String prefix) {
        List<Path> l = new ArrayList<>();
        for (String root : List.of("/run/runc", "/run/crun", "/run/runsc")) {
            try (var entries = Files.list(Path.of(root))) {
                entries.filter(e -> e.getFileName().toString().startsWith(prefix)).forEach(l::add);
            } catch (java.nio.file.NoSuchFileException absent) {
                // runtime never ran here
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return l;
    }

    /** Cgroups of containers whose names start with {@code prefix}, under any hierarchy (v1 controllers, v2, unified). */
    public static List<Path> leftoverCgroups(String prefix) {
        List<Path> l = new ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve("isobench");
                if (!Files.isDirectory(parent)) {
                    continue;
                }
                try (var children = Files.list(parent)) {
                    children.filter(c -> c.getFileName().toString().startsWith(prefix)).forEach(l::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return l;
    }

    public static List<Path> leftoverWorkDirs(long pid) {
        List<Path> l = new ArrayList<>();
        for (Path root : io.isobench.proc.StateDir.roots()) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (var s = Files.list(root)) {
                s.filter(p -> p.getFileName().toString().startsWith("isobench-" + pid + "-")).forEach(l::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return l;
    }

    /**
     * Nothing of the containers named {@code prefix}* is left: no runc or runsc container, no cgroup. Scoped by
     * name because other isobench runs on the same host legitimately share the parent cgroup.
     */
    public static void assertNothingLeft(String prefix) {
        assertThat(leftoverContainers("runc", prefix)).as("runc list").isEmpty();
        assertThat(leftoverContainers("runsc", prefix)).as("runsc list").isEmpty();
        assertThat(leftoverStateFiles(prefix)).as("OCI runtimes' state files (containers whose create was cut short)").isEmpty();
        assertThat(leftoverCgroups(prefix)).as("cgroups").isEmpty();
    }
}
