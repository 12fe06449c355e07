package io.isobench.runtime;

/**
 * A Debian/Ubuntu package a runtime needs, for {@code setup}: {@code presentWhen} is the executable whose presence on
 * PATH means installed, or an absolute path of a file the package ships (for packages without an executable).
 */
public record AptPackage(String name, String presentWhen, String why) {
}
