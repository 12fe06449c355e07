package io.isobench.util;

/**
 * isobench's own version, from the jar manifest, else the system property {@code isobench.version} (set by the
 * container image, which runs from classes), else "dev".
 */
public final class Version {
    private Version() {
    }

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : System.getProperty("isobench.version", "dev");
    }
}
