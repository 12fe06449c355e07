package io.isobench.runtime;

import io.isobench.proc.Proc;
import io.isobench.util.Tools;

import java.time.Duration;

/**
 * A runtime the papers measured that this version of isobench knows about but cannot drive yet
 * (Firecracker, Kata). Doctor lists it with the reason: not installed, or installed but without a
 * driver. It never launches anything.
 */
public final class UnsupportedDriver implements RuntimeDriver {
    private final String id;
    private final String kind;
    private final String binary;
    private final String description;
    private final String howToGet;

    public UnsupportedDriver(String id, String kind, String binary, String description, String howToGet) {
        this.id = id;
        this.kind = kind;
        this.binary = binary;
        this.description = description;
        this.howToGet = howToGet;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String path = Tools.which(binary);
        if (path == null) {
            return Availability.no(id, null, "not installed (" + binary + " not found; " + howToGet + ")");
        }
        String version = Proc.firstLine(Duration.ofSeconds(10), path, "--version");
        return Availability.no(id, version, "installed at " + path
                + ", but this version of isobench has no driver for it yet");
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        throw new LaunchException(id + " has no driver in this version of isobench");
    }
}
