package io.isobench.image;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.FileTree;
import io.isobench.util.Tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@link WorkloadImage}s. The build first plans every entry of the tree (directories, symlinks that
 * mirror the host's own symlinks such as merged /usr, regular files copied from the host, small generated
 * files), hashes the plan including every file's content, and only copies when no image with that hash is
 * cached. Builds go to a temporary directory that is renamed into place, so concurrent builds are safe.
 */
public final class ImageBuilder {
    /** Bump when the layout changes so old cached images are not reused. */
    static final String LAYOUT_VERSION = "2"; // 2: /tmp and /var/tmp 1777
    private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)");
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern SHARED_OBJECT = Pattern.compile("\\.so(\\.[0-9.]+)?$");

    private final Path cacheDir;

    public ImageBuilder(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * @param tools      executables to include (resolved on the host's PATH), with their library closure
     * @param withBusybox include busybox and its applets (a shell and coreutils for scripts in the sandbox)
     */
    public WorkloadImage build(Set<String> tools, boolean withBusybox) {
        return build(tools, List.of(), withBusybox);
    }

    /**
     * @param built tools isobench compiles itself (cached by source hash); one that cannot be built is
     *              missing, with the compiler's reason in {@link WorkloadImage#missingReasons()}
     */
    public WorkloadImage build(Set<String> tools, List<BuiltTool> built, boolean withBusybox) {
        return build(tools, built, Set.of(), Map.of(), withBusybox);
    }

    /**
     * @param hostFiles host files or directories (copied whole, symlinks mirrored) placed at the same paths, for
     *                  data a tool needs besides its binary (nginx's mime.types, MariaDB's share/); one that does not
     *                  exist on the host is missing, under its path, like a tool
     * @param dataFiles files isobench writes (a name such as {@code nginx/nginx.conf} to content), e.g. a server's
     *                  config. Each is written once per content under {@link #builtToolsDir}{@code /files/<hash>/} on
     *                  the host and copied into the image at that same path, so the native baseline reads the very
     *                  file the sandboxes read; {@link WorkloadImage#dataFiles()} says where
     */
    public WorkloadImage build(Set<String> tools, List<BuiltTool> built, Set<String> hostFiles,
                               Map<String, String> dataFiles, boolean withBusybox) {
        holdCache(cacheDir); // images/HASH
        Plan plan = new Plan();
        Map<String, String> toolPaths = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        Map<String, String> reasons = new TreeMap<>();
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            plan.mirrorTopLevelLink(top);
        }
        for (String dir : List.of("/proc", "/sys", "/dev", "/tmp", "/etc", "/root", "/run", "/var/tmp", "/mnt",
                "/scratch")) { // mount point of the scratch storage (runtime.Scratch)
            plan.dir(dir);
        }
        plan.generated("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        plan.generated("/etc/group", "root:x:0:\nnogroup:x:65534:\n");
        plan.generated("/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n");
        plan.generated("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n");
        // for system containers that boot busybox init as PID 1: run nothing, start no shells, just reap and idle
        plan.generated("/etc/inittab", "# isobench: init idles; workloads are attached to the running container\n"
                + "::sysinit:/bin/true\n");

        for (String tool : new TreeSet<>(tools)) {
            String host = Tools.which(tool);
            if (host == null) {
                missing.add(tool);
                continue;
            }
            plan.hostFile(host);
            for (String lib : libraryClosure(host)) {
                plan.hostFile(lib);
            }
            toolPaths.put(tool, host);
        }
        for (BuiltTool b : built) {
            try {
                String path = compile(b).toString();
                plan.hostFile(path);
                toolPaths.put(b.name(), path);
            } catch (BuildException e) {
                missing.add(b.name());
                reasons.put(b.name(), e.getMessage());
            }
        }
        for (String f : new TreeSet<>(hostFiles)) {
            if (!Files.exists(Path.of(f))) {
                missing.add(f);
                continue;
            }
            // a tree of Python extension modules (torch's _C, numpy's cores) needs their libraries like a tool
            for (String so : plan.hostTree(f)) {
                for (String lib : libraryClosure(so)) {
                    plan.hostFile(lib);
                }
            }
        }
        Map<String, String> dataPaths = new TreeMap<>();
        for (var e : new TreeMap<>(dataFiles).entrySet()) {
            String path = writeDataFile(e.getKey(), e.getValue()).toString();
            plan.hostFile(path);
            dataPaths.put(e.getKey(), path);
        }
        if (withBusybox) {
            String bb = Tools.which("busybox");
            if (bb == null) {
                missing.add("busybox");
            } else {
                plan.hostFile(bb);
                for (String lib : libraryClosure(bb)) {
                    plan.hostFile(lib);
                }
                toolPaths.put("busybox", bb);
                String binDir = realPath(bb).getParent().toString();
                for (String applet : busyboxApplets(bb)) {
                    plan.symlinkIfAbsent(binDir + "/" + applet, "busybox");
                }
                // scripts expect /bin/sh even where busybox lives elsewhere
                plan.symlinkIfAbsent("/bin/sh", bb);
            }
        }
        String hash = plan.hash();
        Path target = cacheDir.resolve(hash.substring(0, 16));
        Path rootfs = target.resolve("rootfs");
        if (!Files.isDirectory(rootfs) || !Files.exists(target.resolve("manifest.txt"))) {
            materialize(plan, target);
        } else {
            io.isobench.util.CacheDir.touch(target); // its last use, for 'isobench cache prune'
        }
        return new WorkloadImage(hash, rootfs, Map.copyOf(toolPaths), plan.fileCount(), plan.byteCount(),
                List.copyOf(missing), Map.copyOf(reasons), Map.copyOf(dataPaths));
    }

    /**
     * The shared lock of the cache root holding the kind {@code kindDir} ({@code images}, {@code built}: the root is
     * its parent), so that 'isobench cache prune' waits for this process.
     */
    private static void holdCache(Path kindDir) {
        io.isobench.util.CacheDir.holdAbove(kindDir, 1);
    }

    /** A built tool could not be built; the message says why (compiler missing, no static libc...). */
    static final class BuildException extends Exception {
        BuildException(String message) {
            super(message);
        }
    }

    /**
     * Where built tools live on the host (and, at the same path, in the image): {@code <cache>/built}, unless the
     * cache is under a directory sandboxes mount over (/tmp, /run, /dev: a temporary test cache), then the user's
     * {@code ~/.cache/isobench/built} (or under $XDG_CACHE_HOME).
     */
    static Path builtToolsDir(Path cacheDir) {
        Path c = cacheDir.toAbsolutePath().normalize();
        if (!(c.startsWith("/tmp") || c.startsWith("/run") || c.startsWith("/dev") || c.startsWith("/var/tmp"))) {
            return c.resolve("built");
        }
        return io.isobench.util.CacheDir.root().resolve("built");
    }

    /** Compiles {@code b} with gcc -O2 -static unless a binary of the same source is cached; returns its path. */
    Path compile(BuiltTool b) throws BuildException {
        byte[] source;
        try (InputStream in = ImageBuilder.class.getClassLoader().getResourceAsStream(b.resource())) {
            if (in == null) {
                throw new IllegalStateException("no resource " + b.resource());
            }
            source = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> flags = List.of("-O2", "-static");
        String key = sha256((String.join(" ", flags) + "\n" + new String(source, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        Path dir = builtToolsDir(cacheDir).resolve(key);
        if (dir.startsWith("/tmp") || dir.startsWith("/run") || dir.startsWith("/dev") || dir.startsWith("/var/tmp")) {
            throw new BuildException("cannot place " + b.name() + " at " + dir + ": sandboxes mount their own /tmp, "
                    + "/run and /dev over that path (set XDG_CACHE_HOME or HOME elsewhere)");
        }
        Path out = dir.resolve(b.name());
        holdCache(dir.getParent()); // built/KEY
        if (Files.isRegularFile(out)) {
            if (io.isobench.util.TrustedPath.untrusted(out) == null) {
                io.isobench.util.CacheDir.touch(dir);
                return out;
            }
            deleteTree(dir); // another user could have written it: rebuilt below, and checked again
        }
        String gcc = Tools.which("gcc");
        if (gcc == null) {
            throw new BuildException("cannot build " + b.name() + ": gcc not found (apt-get install "
                    + String.join(" ", BuiltTool.PACKAGES) + ")");
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), ".built-");
            Path src = tmp.resolve(b.name() + ".c");
            Files.write(src, source);
            List<String> argv = new ArrayList<>(List.of(gcc));
            argv.addAll(flags);
            argv.addAll(List.of("-o", tmp.resolve(b.name()).toString(), src.toString()));
            ProcResult r = Proc.of(argv).timeout(Duration.ofSeconds(120)).run();
            if (!r.ok()) {
                String text = r.combinedOutput();
                String hint = text.contains("cannot find -lc") ? "no static C library (apt-get install libc6-dev)"
                        : text.strip().lines().filter(l -> l.contains("error")).findFirst().orElse(r.failureSummary());
                throw new BuildException("cannot build " + b.name() + " with gcc -static: " + hint);
            }
            Files.delete(src);
            Files.createDirectories(dir.getParent());
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // built concurrently; identical source
            }
            String why = io.isobench.util.TrustedPath.untrusted(out);
            if (why != null) { // a directory above it: rebuilding cannot help
                throw new BuildException("refusing to use " + out + ": " + why);
            }
            return out;
        } catch (IOException e) {
            throw new BuildException("cannot build " + b.name() + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Writes {@code content} to {@code <built>/files/<content hash>/<name>} unless it is there; returns the path. */
    Path writeDataFile(String name, String content) {
        if (name.startsWith("/") || Path.of(name).normalize().startsWith("..")) {
            throw new IllegalArgumentException("data file name must be relative: " + name);
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Path built = builtToolsDir(cacheDir);
        Path out = built.resolve("files").resolve(sha256(bytes).substring(0, 16)).resolve(name);
        holdCache(built); // built/files/HASH
        if (Files.isRegularFile(out)) {
            io.isobench.util.CacheDir.touch(out.getParent());
            return out;
        }
        try {
            Files.createDirectories(out.getParent());
            Path tmp = Files.createTempFile(out.getParent(), ".data-", "");
            try {
                Files.write(tmp, bytes);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** Absolute paths of every shared object the dynamic loader maps for {@code binary}, the loader included. */
    static List<String> libraryClosure(String binary) {
        ProcResult r = Proc.of("ldd", binary).timeout(TOOL_TIMEOUT).run();
        // a static binary makes ldd exit 1 with "not a dynamic executable"; it has no closure
        if (!r.ok()) {
            return List.of();
        }
        return parseLdd(r.stdout());
    }

    static List<String> parseLdd(String out) {
        List<String> libs = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = LDD_PATH.matcher(line.strip());
            if (m.find()) {
                libs.add(m.group(1));
            }
        }
        return libs;
    }

    private static Path realPath(String p) {
        try {
            return Path.of(p).toRealPath();
        } catch (IOException e) {
            return Path.of(p);
        }
    }

    static List<String> busyboxApplets(String busybox) {
        ProcResult r = Proc.of(busybox, "--list").timeout(TOOL_TIMEOUT).run();
        if (!r.ok()) {
            return List.of("sh");
        }
        return r.stdout().lines().map(String::strip).filter(s -> s.matches("[A-Za-z0-9_.\\[-]+")).toList();
    }

    private void materialize(Plan plan, Path target) {
        try {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempDirectory(cacheDir, ".build-");
            try {
                Path rootfs = tmp.resolve("rootfs");
                Files.createDirectories(rootfs);
                for (Entry e : plan.entries.values()) {
                    Path p = rootfs.resolve(e.path.substring(1));
                    switch (e.kind) {
                        case DIR -> Files.createDirectories(p);
                        case SYMLINK -> {
                            Files.createDirectories(p.getParent());
                            Files.createSymbolicLink(p, Path.of(e.source));
                        }
                        case FILE -> {
                            Files.createDirectories(p.getParent());
                            Files.copy(Path.of(e.source), p, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                        case GENERATED -> {
                            Files.createDirectories(p.getParent());
                            Files.writeString(p, e.source);
                        }
                    }
                }
                // world-writable with the sticky bit, as on any host: one user cannot remove another's files
                Files.setAttribute(rootfs.resolve("tmp"), "unix:mode", 01777);
                Files.setAttribute(rootfs.resolve("var/tmp"), "unix:mode", 01777);
                Files.writeString(tmp.resolve("manifest.txt"), plan.manifest());
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                    // another build finished first; its content is identical by hash
                    deleteTree(tmp);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cache dir does not support atomic rename: " + cacheDir, e);
                }
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build workload image in " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /** {@link FileTree#delete}: deletes {@code p} and everything under it. */
    public static void deleteTree(Path p) {
        FileTree.delete(p);
    }

    enum Kind { DIR, SYMLINK, FILE, GENERATED }

    record Entry(String path, Kind kind, String source) {
    }

    /** The planned tree, keyed by absolute path inside the image. */
    static final class Plan {
        final Map<String, Entry> entries = new TreeMap<>();
        private final Map<String, String> contentHashes = new LinkedHashMap<>();

        void dir(String path) {
            String c = canonical(path);
            entries.putIfAbsent(c, new Entry(c, Kind.DIR, ""));
        }

        /** Mirrors a top-level host symlink such as /bin -> usr/bin (merged /usr) so paths resolve as on the host. */
        void mirrorTopLevelLink(String path) {
            Path p = Path.of(path);
            if (Files.isSymbolicLink(p)) {
                try {
                    entries.putIfAbsent(path, new Entry(path, Kind.SYMLINK, Files.readSymbolicLink(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** The path with every ancestor that is a planned symlink replaced by its target. */
        String canonical(String path) {
            Path p = Path.of(path).normalize();
            Path cur = Path.of("/");
            for (int i = 0; i < p.getNameCount(); i++) {
                Path next = cur.resolve(p.getName(i));
                Entry e = entries.get(next.toString());
                if (e != null && e.kind == Kind.SYMLINK && i < p.getNameCount() - 1) {
                    next = cur.resolve(e.source).normalize();
                }
                cur = next;
            }
            return cur.toString();
        }

        void generated(String path, String content) {
            entries.put(path, new Entry(path, Kind.GENERATED, content));
        }

        void symlinkIfAbsent(String path, String target) {
            String c = canonical(path);
            entries.putIfAbsent(c, new Entry(c, Kind.SYMLINK, target));
        }

        /**
         * Adds a host file at the same absolute path. Every symlink met on the way (a directory such as /lib
         * pointing to usr/lib, or the file itself pointing to a versioned name) is mirrored as a symlink, and
         * the real file is copied at its real path, so the loader finds libraries exactly as on the host.
         */
        void hostFile(String hostPath) {
            Path p = Path.of(hostPath).normalize();
            Path cur = Path.of("/");
            for (int i = 0; i < p.getNameCount(); i++) {
                Path next = cur.resolve(p.getName(i));
                if (Files.isSymbolicLink(next)) {
                    try {
                        Path link = Files.readSymbolicLink(next);
                        entries.putIfAbsent(next.toString(), new Entry(next.toString(), Kind.SYMLINK, link.toString()));
                        Path resolved = cur.resolve(link).normalize();
                        Path rest = i + 1 < p.getNameCount() ? p.subpath(i + 1, p.getNameCount()) : null;
                        hostFile(rest == null ? resolved.toString() : resolved.resolve(rest).toString());
                        return;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                if (i < p.getNameCount() - 1) {
                    dir(next.toString());
                }
                cur = next;
            }
            entries.put(cur.toString(), new Entry(cur.toString(), Kind.FILE, cur.toString()));
        }

        /**
         * {@link #hostFile} for a file; for a directory, every file and symlink below it (and its empty directories).
         * A dangling symlink in the tree (Debian's torch/lib points at test libraries of another package) or one to a
         * directory (torch/test -> the libtorch-test package) is mirrored as a symlink only: its target is not part of
         * the tree unless declared itself. Returns the shared objects ({@code *.so}, {@code *.so.N}) among the regular files, whose
         * library closure the caller adds.
         */
        List<String> hostTree(String hostPath) {
            Path p = Path.of(hostPath);
            if (!Files.isDirectory(p)) {
                hostFile(hostPath);
                return SHARED_OBJECT.matcher(p.getFileName().toString()).find() ? List.of(hostPath) : List.of();
            }
            List<String> sharedObjects = new ArrayList<>();
            try (var walk = Files.walk(p)) {
                for (Path x : walk.sorted().toList()) {
                    if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)) {
                        dir(canonical(x.toString()));
                    } else if (Files.isSymbolicLink(x) && (!Files.exists(x) || Files.isDirectory(x))) {
                        // dangling, or a directory elsewhere (torch/test -> libtorch-test): the link, not its target
                        String c = canonical(x.getParent().toString()) + "/" + x.getFileName();
                        entries.putIfAbsent(c, new Entry(c, Kind.SYMLINK, Files.readSymbolicLink(x).toString()));
                    } else {
                        hostFile(x.toString());
                        if (Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)
                                && SHARED_OBJECT.matcher(x.getFileName().toString()).find()) {
                            sharedObjects.add(x.toString());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return sharedObjects;
        }

        int fileCount() {
            return (int) entries.values().stream().filter(e -> e.kind == Kind.FILE).count();
        }

        long byteCount() {
            long n = 0;
            for (Entry e : entries.values()) {
                if (e.kind == Kind.FILE) {
                    try {
                        n += Files.size(Path.of(e.source));
                    } catch (IOException ignored) {
                        // counted as 0
                    }
                }
            }
            return n;
        }

        String manifest() {
            StringBuilder sb = new StringBuilder("layout ").append(LAYOUT_VERSION).append('\n');
            for (Entry e : entries.values()) {
                sb.append(e.kind).append(' ').append(e.path).append(' ');
                switch (e.kind) {
                    case DIR -> sb.append('-');
                    case SYMLINK -> sb.append(e.source);
                    case FILE -> sb.append(contentHash(e.source)).append(' ').append(mode(e.source));
                    case GENERATED -> sb.append(sha256(e.source.getBytes(StandardCharsets.UTF_8)));
                }
                sb.append('\n');
            }
            return sb.toString();
        }

        String hash() {
            return sha256(manifest().getBytes(StandardCharsets.UTF_8));
        }

        private String contentHash(String file) {
            return contentHashes.computeIfAbsent(file, f -> {
                try (InputStream in = Files.newInputStream(Path.of(f))) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                    return HexFormat.of().formatHex(md.digest());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        private static String mode(String file) {
            try {
                return PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(file)));
            } catch (IOException e) {
                return "?";
            }
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
