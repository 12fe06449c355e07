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
    private final Supplier<WorkloadImage> probeImageWithInit;
    private volatile WorkloadImage imageWithInit;
    private final Limits limits;
    private volatile WorkloadImage image;

    public ProbeContext(ImageBuilder builder, Limits limits) {
        this.probeImage = () -> builder.build(Set.of("true"), false);
        this.probeImageWithInit = () -> builder.build(Set.of("true"), true);
        this.limits = limits;
    }

    public synchronized WorkloadImage probeImage() {
        if (image == null) {
            image = probeImage.get();
        }
        return image;
    }

    /** The probe image plus busybox (an init and a shell), for runtimes that boot an init first. */
    public synchronized WorkloadImage probeImageWithInit() {
        if (imageWithInit == null) {
            imageWithInit = probeImageWithInit.get();
        }
        return imageWithInit;
    }

    public Limits limits() {
        return limits;
    }
}
