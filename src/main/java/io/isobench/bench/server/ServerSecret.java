package io.isobench.bench.server;

import io.isobench.bench.TrialFailure;
import io.isobench.image.ImageBuilder;
import io.isobench.proc.Cleanup;
import io.isobench.proc.WorkDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A server's password for one trial: random, never on a command line isobench controls, never in raw output. The
 * server gets it through its environment ({@link #ENV}), clients through option files that only root can read
 * (mode 0600 in a 0700 directory of the process's work dir), removed with the trial (also on Ctrl-C).
 */
final class ServerSecret implements AutoCloseable {
    /** The variable the server's start script reads (and unsets before it execs the server). */
    static final String ENV = "ISOBENCH_SERVER_PASSWORD";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String password;
    private final Path dir;
    private final Cleanup.Action cleanup;

    private ServerSecret(String password, Path dir) {
        this.password = password;
        this.dir = dir;
        this.cleanup = Cleanup.register("server secrets " + dir, () -> ImageBuilder.deleteTree(dir));
    }

    /** 128 random bits as 32 lower-case hex digits: nothing a shell or SQL string would need to quote. */
    static String newPassword() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static ServerSecret create() {
        try {
            Path d = Files.createTempDirectory(WorkDir.get(), "secret-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return new ServerSecret(newPassword(), d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the server's password: " + e.getMessage(), e);
        }
    }

    String password() {
        return password;
    }

    /** Writes {@code text} to a new 0600 file {@code name} in the private directory; returns its path. */
    Path file(String name, String text) {
        Path f = dir.resolve(name);
        try {
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, text);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    /** {@code text} with the password replaced by {@code ***}. */
    String redact(String text) {
        return text.replace(password, "***");
    }

    /** The failure with the password redacted from its reason and raw output. */
    TrialFailure redact(TrialFailure f) {
        return new TrialFailure(redact(f.reason()), redact(f.rawOutput()));
    }

    @Override
    public void close() {
        cleanup.close();
    }
}
