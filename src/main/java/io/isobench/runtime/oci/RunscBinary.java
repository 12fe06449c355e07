package io.isobench.runtime.oci;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Trials;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One runsc executable isobench runs: the installed one (on PATH), one fetched into the cache by {@link RunscFetch}, or a
 * user's own ({@code ISOBENCH_RUNSC}). Its version, where it came from and its sha256 are recorded with every result.
 *
 * @param path      absolute path of the executable
 * @param version   runsc's own version, e.g. "0.0~20240729.0"
 * @param source    where it came from: "installed (PATH)", "apt sid runsc 0.0~20240729.0-7+b1", "user (ISOBENCH_RUNSC)"
 * @param sha256    of the executable's bytes
 * @param label     the runtime id stem: "runsc" for the installed one, else "runsc@" + {@link #shortVersion(String)}
 */
public record RunscBinary(Path path, String version, String source, String sha256, String label) {
    /** "0.0~20240729.0" -> "20240729"; "release-20240729.0" -> "20240729"; otherwise the version made safe for an id. */
    public static String shortVersion(String version) {
        Matcher m = Pattern.compile("(20\\d{6})").matcher(version);
        return m.find() ? m.group(1) : Trials.safeName(version);
    }

    /** Runs {@code path --version}; the binary with its version and sha256, or empty when it does not answer. */
    public static Optional<RunscBinary> describe(Path path, String source, String label) {
        ProcResult v = Proc.of(path.toString(), "--version").timeout(Trials.CLI_TIMEOUT).run();
        String version = v.ok() ? Trials.parseVersion(v.stdout()) : null;
        if (version == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RunscBinary(path, version, source, sha256(path), label));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The platforms this runsc offers and its default, from {@code runsc flags}. */
    public Platforms platforms() {
        ProcResult r = Proc.of(path.toString(), "flags").timeout(Trials.CLI_TIMEOUT).run();
        return parsePlatforms(r.stdout() + "\n" + r.stderr());
    }

    /** What {@code runsc flags} says about {@code -platform}. */
    public record Platforms(List<String> names, String defaultPlatform) {
        public boolean has(String platform) {
            return names.contains(platform);
        }
    }

    /**
     * Parses {@code runsc flags}: "specifies which platform to use: systrap (default), ptrace, kvm. (default "systrap")".
     * Unknown when the line is missing (empty names, null default).
     */
    static Platforms parsePlatforms(String flagsOutput) {
        Matcher m = Pattern.compile("specifies which platform to use: ([^.\\n]*)\\.(?:\\s*\\(default \"([a-z0-9]+)\"\\))?")
                .matcher(flagsOutput);
        if (!m.find()) {
            return new Platforms(List.of(), null);
        }
        List<String> names = new ArrayList<>();
        String def = m.group(2);
        for (String part : m.group(1).split(",")) {
            String p = part.strip();
            boolean isDefault = p.endsWith("(default)");
            p = p.replace("(default)", "").strip();
            if (!p.isEmpty()) {
                names.add(p);
                if (isDefault && def == null) {
                    def = p;
                }
            }
        }
        return new Platforms(List.copyOf(names), def);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
