package io.isobench.runtime;

import io.isobench.image.ImageBuilder;
import io.isobench.image.WorkloadImage;

import java.util.Set;
import java.util.function.Supplier;

/**
 * What probes may use: a tiny image (the host's {@code true} and its libraries) to start a real sandbox
 * with, built once and cached, and the limits the run will use.
 */
public final class ProbeContext {
    private final Supplier<WorkloadImage> probeImage;
    private final Limits limits;
    private volatile WorkloadImage image;

    public ProbeContext(ImageBuilder builder, Limits limits) {
        this.probeImage = () -> builder.build(Set.of("true"), false);
        this.limits = limits;
    }

    public synchronized WorkloadImage probeImage() {
        if (image == null) {
            image = probeImage.get();
        }
        return image;
    }

    public Limits limits() {
        return limits;
    }
}
