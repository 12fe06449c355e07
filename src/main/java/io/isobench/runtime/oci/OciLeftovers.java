package io.isobench.runtime.oci;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.Trials;
import io.isobench.util.Tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI CLI's containers left by a dead isobench: {@code <binary> list} shows each container's bundle; one named
 * isobench-* whose bundle is inside a dead work dir (listed, or by its path alone when the dir is already gone) is
 * killed and force-deleted; {@code prefix} goes before every
 * call (crun's private mount namespace on hybrid hosts). A container whose create was cut short has no state the
 * runtime can load, so {@code list} cannot show it: what it left in {@code stateRoot} is removed by
 * {@link OciStateRoot} (null: none known).
 */
record OciLeftovers(String binary, List<String> prefix, Path stateRoot) implements Leftovers {
    OciLeftovers(String binary, Path stateRoot) {
        this(binary, List.of(), stateRoot);
    }

    private List<String> argv(String bin, String... args) {
        List<String> l = new ArrayList<>(prefix);
        l.add(bin);
        l.addAll(List.of(args));
        return l;
    }

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        String bin = Tools.which(binary);
        if (bin == null) {
            return done;
        }
        ProcResult r = Proc.of(argv(bin, "list")).timeout(Trials.CLI_TIMEOUT).run();
        if (r.ok()) {
            sweepListed(bin, r.stdout(), deadWorkDirs, done);
        }
        done.addAll(sweepBundleCgroups(deadWorkDirs));
        done.addAll(OciStateRoot.removeUnloadable(stateRoot));
        return done;
    }

    /**
     * A container whose create was cut by the SIGKILL has no runc state (so no {@code list} entry) but may have its
     * cgroup {@code /isobench/NAME} (the bundle's, {@link OciBundle}) and a stuck init in it: for every bundle dir of a
     * dead work dir, its cgroup's processes are killed and the cgroup removed.
     */
    static List<String> sweepBundleCgroups(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        for (Path d : deadWorkDirs) {
            Path bundles = d.resolve("bundles");
            if (!java.nio.file.Files.isDirectory(bundles, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (var s = java.nio.file.Files.list(bundles)) {
                for (Path b : s.filter(p -> java.nio.file.Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                    String name = b.getFileName().toString();
                    if (!name.startsWith("isobench-")) {
                        continue;
                    }
                    String cg = "/isobench/" + name;
                    List<Long> pids = io.isobench.runtime.Cgroups.pids(cg);
                    Proc.killAndWait(pids, java.time.Duration.ofSeconds(5));
                    io.isobench.runtime.Cgroups.removeIfEmpty(cg);
                    if (!pids.isEmpty()) {
                        done.add("processes of the cgroup " + cg);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the dir went meanwhile
            }
        }
        return done;
    }

    /** Kills and deletes the listed containers ({@code <binary> list} output) whose bundle lay in a dead work dir. */
    private void sweepListed(String bin, String listing, List<Path> deadWorkDirs, List<String> done) {
        for (String line : listing.lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !f[0].startsWith("isobench-")) {
                continue;
            }
            // its bundle in a dead work dir, also one already gone (the name alone says whose it was)
            if (deadWorkDirs.stream().anyMatch(d -> line.contains(d.toString() + "/")) || io.isobench.proc.WorkDir.inDeadWorkDir(f[3])) {
                Proc.of(argv(bin, "kill", f[0], "KILL")).timeout(Trials.CLI_TIMEOUT).run();
                Proc.of(argv(bin, "delete", "--force", f[0])).timeout(Trials.CLI_TIMEOUT).run();
                done.add(binary + " container " + f[0]);
            }
        }
    }
}
