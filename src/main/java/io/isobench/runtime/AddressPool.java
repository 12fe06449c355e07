package io.isobench.runtime;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Json;
import io.isobench.util.Tools;
import io.isobench.util.TrustedPath;
import io.isobench.util.UserException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The IPv4 block every sandbox network address comes from: {@value #DEFAULT} (RFC 2544, reserved for benchmarking)
 * unless the user sets another ({@code --subnet}, plan key {@code subnet}). Its lower half holds {@link NetNs}'s /30s,
 * its upper half {@link DockerNetwork}'s /24s. Before the first address is handed out, the host's addresses and routes
 * (every table) are checked for any overlap with the whole block ({@link #checkHost}): an overlap stops the run with
 * one line. Sub-blocks are leased across processes through one locked file each under {@link #lockDir()} (root-only,
 * {@code /run/isobench/net} by default), held for the process's life: two isobench processes never take the same addresses.
 */
public final class AddressPool {
    public static final String DEFAULT = "198.18.0.0/15";
    /** Interfaces isobench itself creates: their addresses in the block are its own, not the host's networks. */
    private static final Pattern OWN_DEVICE = Pattern.compile("ibh[0-9a-f]+|isobench\\d+");
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

    private static Cidr block = Cidr.parse(DEFAULT, "subnet");
    private static boolean checked;
    private static final Map<Cidr, FileChannel> LEASES = new LinkedHashMap<>();

    private AddressPool() {
    }

    /** An IPv4 prefix: {@code base} with host bits zero, {@code prefix} 0..32. */
    public record Cidr(long base, int prefix) {
        private static final Pattern TEXT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

        /** "a.b.c.d/n" (a bare address is a /32); a mistake is a {@link UserException} naming {@code what}. */
        public static Cidr parse(String s, String what) {
            var m = TEXT.matcher(s.strip());
            if (!m.matches()) {
                throw new UserException(what + ": not an IPv4 prefix: '" + s + "' (e.g. " + DEFAULT + ")");
            }
            long a = 0;
            for (int i = 1; i <= 4; i++) {
                int o = Integer.parseInt(m.group(i));
                if (o > 255) {
                    throw new UserException(what + ": not an IPv4 prefix: '" + s + "'");
                }
                a = a << 8 | o;
            }
            int p = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
            if (p > 32) {
                throw new UserException(what + ": prefix length above 32 in '" + s + "'");
            }
            if ((a & ~mask(p)) != 0) {
                throw new UserException(what + ": '" + s + "' has host bits set (the block starts at "
                        + new Cidr(a & mask(p), p) + ")");
            }
            return new Cidr(a, p);
        }

        static long mask(int p) {
            return p == 0 ? 0 : (0xffffffffL << (32 - p)) & 0xffffffffL;
        }

        long size() {
            return 1L << (32 - prefix);
        }

        boolean overlaps(Cidr o) {
            int p = Math.min(prefix, o.prefix);
            return (base & mask(p)) == (o.base & mask(p));
        }

        /** The {@code i}-th sub-block of prefix length {@code p}. */
        Cidr sub(int p, long i) {
            return new Cidr(base + i * (1L << (32 - p)), p);
        }

        /** The address at {@code offset} from the base. */
        public byte[] address(long offset) {
            long a = base + offset;
            return new byte[]{(byte) (a >> 24), (byte) (a >> 16), (byte) (a >> 8), (byte) a};
        }

        @Override
        public String toString() {
            return (base >> 24 & 255) + "." + (base >> 16 & 255) + "." + (base >> 8 & 255) + "." + (base & 255) + "/" + prefix;
        }
    }

    /**
     * Sets the block for this process (null: the default). It must hold two /24s (a /23 or larger); isobench's
     * addresses are then only ever taken from it. Leases already held stay (they are released at exit).
     */
    public static synchronized void configure(String cidr) {
        Cidr c = cidr == null ? Cidr.parse(DEFAULT, "subnet") : validate(cidr, "subnet");
        if (!c.equals(block)) {
            block = c;
            checked = false;
        }
    }

    /** Parses and checks a user's block: IPv4, /23 or larger, not loopback, multicast or 0.0.0.0/8. */
    public static Cidr validate(String cidr, String what) {
        Cidr c = Cidr.parse(cidr, what);
        if (c.prefix() > 23 || c.prefix() < 8) {
            throw new UserException(what + ": the block must be between a /8 and a /23 (it holds two /24s at least), got '"
                    + cidr + "'");
        }
        for (String reserved : List.of("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3")) {
            if (c.overlaps(Cidr.parse(reserved, what))) {
                throw new UserException(what + ": '" + cidr + "' overlaps " + reserved);
            }
        }
        return c;
    }

    public static synchronized Cidr block() {
        return block;
    }

    /** The half of the block {@link NetNs}'s /30s come from. */
    static synchronized Cidr netnsHalf() {
        return block.sub(block.prefix() + 1, 0);
    }

    /** The half of the block {@link DockerNetwork}'s /24s come from. */
    public static synchronized Cidr dockerHalf() {
        return block.sub(block.prefix() + 1, 1);
    }

    /**
     * The host's addresses and routes (every table) that overlap {@code block}, one description each; isobench's own
     * interfaces ({@code ibh*}, {@code isobench*}) and default routes are not counted. Input: {@code ip -j -4 addr} and
     * {@code ip -j -4 route show table all}.
     */
    static List<String> overlaps(Cidr block, String addrJson, String routeJson) {
        List<String> found = new ArrayList<>();
        for (JsonNode nif : Json.MAPPER.readTree(addrJson)) {
            String dev = nif.path("ifname").asString("");
            if (OWN_DEVICE.matcher(dev).matches()) {
                continue;
            }
            for (JsonNode a : nif.path("addr_info")) {
                if (!a.path("family").asString("inet").equals("inet") || !a.has("local")) {
                    continue;
                }
                Cidr net = new Cidr(Cidr.parse(a.path("local").asString(), "address").base() & Cidr.mask(a.path("prefixlen").asInt(32)),
                        a.path("prefixlen").asInt(32));
                if (net.overlaps(block)) {
                    found.add("address " + a.path("local").asString() + "/" + net.prefix() + " on " + dev);
                }
            }
        }
        for (JsonNode r : Json.MAPPER.readTree(routeJson)) {
            String dst = r.path("dst").asString("");
            String dev = r.path("dev").asString("");
            if (dst.isEmpty() || dst.equals("default") || dst.equals("0.0.0.0/0") || OWN_DEVICE.matcher(dev).matches()
                    || !Character.isDigit(dst.charAt(0))) {
                continue;
            }
            if (Cidr.parse(dst.contains("/") ? dst : dst + "/32", "route").overlaps(block)) {
                String table = r.path("table").asString("main");
                found.add("route " + dst + (dev.isEmpty() ? "" : " dev " + dev) + " (table " + table + ")");
            }
        }
        return found;
    }

    /**
     * Checks the host's addresses and routes against the block; an overlap is a {@link UserException} of one line.
     * Done once per block and process; without {@code ip} there is nothing to check (no namespace can be made either).
     */
    public static synchronized void checkHost() {
        if (checked) {
            return;
        }
        String ip = Tools.which("ip");
        if (ip == null) {
            return;
        }
        ProcResult addr = Proc.of(ip, "-j", "-4", "addr").timeout(IP_TIMEOUT).run();
        ProcResult route = Proc.of(ip, "-j", "-4", "route", "show", "table", "all").timeout(IP_TIMEOUT).run();
        if (!addr.ok() || !route.ok()) {
            throw new UserException("cannot list the host's addresses and routes to check " + block + ": "
                    + (addr.ok() ? route : addr).failureSummary());
        }
        List<String> o = overlaps(block, addr.stdout(), route.stdout());
        if (!o.isEmpty()) {
            throw new UserException("isobench's address block " + block + " overlaps this host's " + String.join(", ", o)
                    + "; choose a free block with --subnet (plan key subnet)");
        }
        checked = true;
    }

    /**
     * The lock directory: the system property {@code isobench.lockdir} (tests), else {@code net/} in isobench's state
     * root ({@link io.isobench.proc.StateDir}: {@value io.isobench.proc.StateDir#ROOT_DIR} for root).
     */
    static Path lockDir() {
        String p = System.getProperty("isobench.lockdir");
        if (p != null) {
            return Path.of(p);
        }
        return io.isobench.proc.StateDir.root().resolve("net");
    }

    /**
     * Leases a free sub-block of prefix length {@code p} from {@code half} for the rest of this process's life,
     * skipping {@code held} (this process's own leases); null when every one is taken.
     */
    public static synchronized Cidr lease(Cidr half, int p, long start) throws RuntimeDriver.LaunchException {
        checkHost();
        return tryLease(half, p, start);
    }

    /** {@link #lease} without the host check (tests). */
    static synchronized Cidr tryLease(Cidr half, int p, long start) throws RuntimeDriver.LaunchException {
        Path dir = secureLockDir();
        long n = 1L << (p - half.prefix());
        for (long i = 0; i < n; i++) {
            Cidr c = half.sub(p, Math.floorMod(start + i, n));
            if (LEASES.containsKey(c)) {
                continue;
            }
            Path f = dir.resolve(c.toString().replace('/', '_'));
            FileChannel ch = null;
            try {
                ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                FileLock l = ch.tryLock();
                if (l != null) {
                    LEASES.put(c, ch); // never closed: the lock goes with the process
                    ch.truncate(0);
                    ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes()));
                    return c;
                }
                ch.close();
            } catch (IOException e) {
                closeQuietly(ch);
                throw new RuntimeDriver.LaunchException("cannot lock " + f + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** The sub-blocks this process holds. */
    public static synchronized List<Cidr> leases() {
        return List.copyOf(LEASES.keySet());
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    /** Creates the lock directory (mode 0700) and refuses one that another user could write or swap. */
    private static Path secureLockDir() throws RuntimeDriver.LaunchException {
        Path dir = lockDir();
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // made by another isobench meanwhile: checked below
                }
            }
            if (Files.isSymbolicLink(dir)) {
                throw new RuntimeDriver.LaunchException("refusing the lock directory " + dir + ": a symbolic link");
            }
            String why = TrustedPath.untrusted(dir);
            if (why != null) {
                throw new RuntimeDriver.LaunchException("refusing the lock directory " + dir + ": " + why);
            }
            return dir;
        } catch (IOException e) {
            throw new RuntimeDriver.LaunchException("cannot create the lock directory " + dir + ": " + e.getMessage());
        }
    }
}
