package io.isobench.runtime.oci;

import io.isobench.runtime.HostSetup;
import io.isobench.util.Tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code setup} step of the runsc family: when Debian's newer suite ({@value RunscFetch#SUITE}) publishes a runsc
 * newer than the installed one, fetch it into isobench's cache ({@link RunscFetch}: isobench's own apt lists, the
 * system's sources and packages untouched), where it runs as {@code runsc@<version>} beside the installed runsc.
 */
enum RunscSetup implements HostSetup {
    INSTANCE;

    private volatile String candidate;

    @Override
    public String title() {
        return "newer gVisor (runsc)";
    }

    @Override
    public List<String> plan() {
        RunscFetch f = RunscFetch.defaultCache();
        String c;
        try {
            c = f.candidate();
        } catch (IOException e) {
            return List.of("(cannot look for a newer runsc: " + e.getMessage() + ")");
        }
        candidate = c;
        String have = installedVersion();
        if (alreadyCached(f, c) || (have != null && !newer(c, have))) {
            return List.of();
        }
        return List.of("fetch runsc " + c + " from Debian " + RunscFetch.SUITE + " into " + f.dir()
                + " (isobench's own apt lists; installed: " + (have == null ? "none" : have)
                + "; system sources untouched), run as runsc@" + RunscBinary.shortVersion(c));
    }

    @Override
    public boolean apply(PrintStream err) {
        RunscFetch f = RunscFetch.defaultCache();
        try {
            String c = candidate != null ? candidate : f.candidate();
            RunscBinary b = f.obtain(c);
            err.println("isobench: runsc " + b.version() + " (" + b.source() + ", sha256 " + b.sha256()
                    + ") runs as " + b.label() + " and " + b.label() + "-<platform>");
            return true;
        } catch (IOException e) {
            err.println("isobench: could not fetch a newer runsc: " + e.getMessage());
            return false;
        }
    }

    private static boolean alreadyCached(RunscFetch f, String pkgVersion) {
        return f.cached().stream().anyMatch(c -> c.dir().getFileName().toString().equals(RunscFetch.dirName(pkgVersion))
                && c.binary().isPresent());
    }

    /** The installed runsc's version, or null when none is on PATH. */
    static String installedVersion() {
        String exe = Tools.which("runsc");
        return exe == null ? null : RunscBinary.describe(Path.of(exe), "", "").map(RunscBinary::version).orElse(null);
    }

    /** Whether package version {@code candidate} is a later gVisor release than runsc version {@code installed} (by release date). */
    static boolean newer(String candidate, String installed) {
        Optional<String> a = date(candidate);
        Optional<String> b = date(installed);
        return a.isPresent() && (b.isEmpty() || a.get().compareTo(b.get()) > 0);
    }

    private static Optional<String> date(String v) {
        var m = java.util.regex.Pattern.compile("(20\\d{6})").matcher(v);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
