package io.isobench.runtime.oci;

import io.isobench.image.ImageBuilder;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.CacheDir;
import io.isobench.util.Tools;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A current gVisor from Debian's newer suite, without touching the system: isobench's own apt sources and lists under
 * {@code <cache>/runsc/apt} ({@code apt-get -o Dir::Etc::SourceList=... update}, signed by the Debian archive key as the
 * system's own sources are), then {@code apt-get download runsc} and {@code dpkg -x}; the static {@code usr/bin/runsc}
 * lands in {@code <cache>/runsc/<package version>/runsc} with a {@code RECORD} of its version, source and sha256 (atomic
 * rename, as the guest kernel is cached). Before a cached runsc is run (as root) it is verified: owned by the user
 * running isobench, neither it nor its directories group or world writable, and its sha256 as recorded at fetch time.
 */
public final class RunscFetch {
    /** The Debian suite fetched from; its runsc is newer than stable's (0.0~20221219 in Debian 12). */
    public static final String SUITE = "sid";
    static final String SOURCES = "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian "
            + SUITE + " main\n";
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Object LOCK = new Object();

    private final Path cache;

    public RunscFetch(Path cache) {
        this.cache = cache;
    }

    /** {@code $XDG_CACHE_HOME/isobench/runsc} or {@code ~/.cache/isobench/runsc}. */
    public static RunscFetch defaultCache() {
        return new RunscFetch(CacheDir.root().resolve("runsc"));
    }

    public Path dir() {
        return cache;
    }

    /** A cached runsc: its directory, and either the verified binary or why it must not be run. */
    public record Cached(Path dir, Optional<RunscBinary> binary, String problem) {
    }

    /** Every fetched runsc in the cache (directories with a RECORD), newest package version last, each verified. */
    public List<Cached> cached() {
        List<Cached> l = new ArrayList<>();
        if (!Files.isDirectory(cache)) {
            return l;
        }
        try (var s = Files.list(cache)) {
            for (Path d : s.filter(d -> Files.isRegularFile(d.resolve("RECORD"))).sorted().toList()) {
                l.add(verify(d));
            }
        } catch (IOException e) {
            return l;
        }
        return l;
    }

    /** Checks a cached runsc before it may run (see the class comment); never throws. */
    static Cached verify(Path d) {
        try {
            Properties rec = record(d);
            Path exe = d.resolve("runsc");
            String problem = unsafe(List.of(exe, d, d.getParent()));
            if (problem == null && !rec.getProperty("sha256", "").equals(hashUnlessUnchanged(exe))) {
                problem = exe + " does not have the sha256 recorded at fetch time (" + rec.getProperty("sha256")
                        + "); delete " + d + " and run isobench setup again";
            }
            if (problem != null) {
                return new Cached(d, Optional.empty(), problem);
            }
            String version = rec.getProperty("version");
            String source = "apt " + rec.getProperty("suite") + " " + rec.getProperty("package") + " "
                    + rec.getProperty("package_version") + " (fetched by isobench setup into " + d + ")";
            return new Cached(d, Optional.of(new RunscBinary(exe, version, source, rec.getProperty("sha256"),
                    "runsc@" + RunscBinary.shortVersion(version))), null);
        } catch (IOException | RuntimeException e) {
            return new Cached(d, Optional.empty(), "cannot check " + d + ": " + e.getMessage());
        }
    }

    /**
     * Why these files must not be run by this user, or null: each must be owned by the user running isobench (root:
     * root) and not writable by group or others, so no other local user can swap what root executes.
     */
    static String unsafe(List<Path> files) throws IOException {
        String me = System.getProperty("user.name");
        for (Path f : files) {
            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return f + " is a symbolic link; isobench runs only the runsc it fetched";
            }
            if (!a.owner().getName().equals(me)) {
                return f + " is owned by " + a.owner().getName() + ", not " + me + "; not running it";
            }
            if (a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                return f + " is writable by group or others; not running it";
            }
        }
        return null;
    }

    /** sha256 of each file checked in this process, with the inode, size and change time it was computed for. */
    private static final java.util.Map<Path, String[]> HASHED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The file's sha256, hashed again only when its inode, size or ctime (any write, chmod, chown or rename onto it
     * changes them) differ from the last hash in this process: the registry lists runtimes often, a 30 MB hash each time
     * would cost more than the check is worth.
     */
    private static String hashUnlessUnchanged(Path exe) throws IOException {
        Map<String, Object> a = Files.readAttributes(exe, "unix:ino,size,ctime", LinkOption.NOFOLLOW_LINKS);
        String key = a.get("ino") + "/" + a.get("size") + "/" + a.get("ctime");
        String[] seen = HASHED.get(exe);
        if (seen != null && seen[0].equals(key)) {
            return seen[1];
        }
        String sha = RunscBinary.sha256(exe);
        HASHED.put(exe, new String[]{key, sha});
        return sha;
    }

    private static Properties record(Path d) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(d.resolve("RECORD"))));
        return p;
    }

    /** The apt options that point apt at isobench's own sources, lists and archive cache, never the system's. */
    List<String> aptOptions() {
        Path apt = cache.resolve("apt");
        return List.of("-o", "Dir::Etc::SourceList=" + apt.resolve("sources.list"), "-o", "Dir::Etc::SourceParts=/dev/null",
                "-o", "Dir::State::Lists=" + apt.resolve("lists"), "-o", "Dir::Cache=" + apt.resolve("cache"),
                "-o", "Dir::State::status=/dev/null", "-o", "Debug::NoLocking=1");
    }

    private List<String> apt(String tool, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        argv.addAll(aptOptions());
        argv.addAll(List.of(args));
        return argv;
    }

    /** Updates isobench's own lists and returns the suite's candidate version of package runsc. */
    public String candidate() throws IOException {
        for (String tool : List.of("apt-get", "apt-cache", "dpkg", "dpkg-deb")) {
            if (Tools.which(tool) == null) {
                throw new IOException(tool + " not found (a newer runsc is fetched with apt-get download; a Debian/Ubuntu host is needed)");
            }
        }
        if (!Files.isRegularFile(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"))) {
            throw new IOException("/usr/share/keyrings/debian-archive-keyring.gpg missing (apt-get install debian-archive-keyring)");
        }
        Path apt = cache.resolve("apt");
        Files.createDirectories(apt.resolve("lists/partial"));
        Files.createDirectories(apt.resolve("cache/archives/partial"));
        Files.writeString(apt.resolve("sources.list"), SOURCES);
        run(apt("apt-get", "-q", "update"), "apt-get update (isobench's own lists in " + apt + ")");
        ProcResult r = Proc.of(apt("apt-cache", "policy", "runsc")).timeout(APT_TIMEOUT).run();
        String c = r.ok() ? parseCandidate(r.stdout()) : null;
        if (c == null) {
            throw new IOException("Debian " + SUITE + " has no runsc candidate: " + r.failureSummary());
        }
        return c;
    }

    /** "  Candidate: 0.0~20240729.0-7+b1" -> "0.0~20240729.0-7+b1"; null for "(none)" or no such line. */
    static String parseCandidate(String policy) {
        for (String line : policy.lines().toList()) {
            String l = line.strip();
            if (l.startsWith("Candidate:")) {
                String v = l.substring("Candidate:".length()).strip();
                return v.isEmpty() || v.equals("(none)") ? null : v;
            }
        }
        return null;
    }

    /** The cached runsc of package version {@code pkgVersion}, fetching it when absent. */
    public RunscBinary obtain(String pkgVersion) throws IOException {
        synchronized (LOCK) {
            Path target = cache.resolve(dirName(pkgVersion));
            if (Files.isRegularFile(target.resolve("RECORD"))) {
                Cached c = verify(target);
                return c.binary().orElseThrow(() -> new IOException(c.problem()));
            }
            return fetch(pkgVersion, target);
        }
    }

    /** The suite's current runsc, cached (the lists are updated first). */
    public RunscBinary obtainCurrent() throws IOException {
        return obtain(candidate());
    }

    static String dirName(String pkgVersion) {
        return pkgVersion.replaceAll("[^A-Za-z0-9.+-]", "_");
    }

    private RunscBinary fetch(String pkgVersion, Path target) throws IOException {
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, ".fetch-");
        try {
            // runsc=VERSION: exactly the version the plan showed; apt checks it against the signed lists
            run(Proc.of(apt("apt-get", "-q", "download", "runsc=" + pkgVersion)).dir(tmp), "apt-get download runsc=" + pkgVersion);
            Path deb;
            try (var s = Files.list(tmp)) {
                deb = s.filter(p -> p.getFileName().toString().startsWith("runsc_") && p.toString().endsWith(".deb"))
                        .findFirst().orElseThrow(() -> new IOException("apt-get download runsc left no .deb"));
            }
            Path root = tmp.resolve("root");
            run(List.of("dpkg", "-x", deb.toString(), root.toString()), "dpkg -x " + deb.getFileName());
            Path exe = root.resolve("usr/bin/runsc");
            if (!Files.isRegularFile(exe)) {
                throw new IOException(deb.getFileName() + " has no usr/bin/runsc");
            }
            Path out = tmp.resolve("out");
            Files.createDirectory(out);
            Files.move(exe, out.resolve("runsc"));
            Files.setPosixFilePermissions(out.resolve("runsc"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            RunscBinary b = RunscBinary.describe(out.resolve("runsc"), "", "")
                    .orElseThrow(() -> new IOException("the fetched runsc does not answer --version"));
            String rec = "# written by isobench setup; checked before every run\n"
                    + "version=" + b.version() + "\npackage=runsc\npackage_version=" + pkgVersion + "\nsuite=" + SUITE
                    + "\nsha256=" + b.sha256() + "\n";
            Files.writeString(out.resolve("RECORD"), rec);
            try {
                Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another process cached it first
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cache dir does not support atomic rename: " + cache, e);
            }
            Cached c = verify(target);
            return c.binary().orElseThrow(() -> new IOException(c.problem()));
        } finally {
            ImageBuilder.deleteTree(tmp);
        }
    }

    private static void run(List<String> argv, String what) throws IOException {
        run(Proc.of(argv), what);
    }

    private static void run(Proc p, String what) throws IOException {
        ProcResult r = p.timeout(APT_TIMEOUT).run();
        if (!r.ok()) {
            throw new IOException(what + " failed: " + r.failureSummary());
        }
    }
}
