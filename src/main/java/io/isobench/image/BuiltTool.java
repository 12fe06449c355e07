package io.isobench.image;

/**
 * A small tool isobench builds itself instead of taking it from the host: a C program shipped as a classpath
 * resource, compiled with {@code gcc -O2 -static} once per source content and cached under the image cache
 * ({@code <cache>/built/<source hash>/<name>}). The image holds it at that same absolute path, so the native
 * baseline runs the very file the sandboxes run. When gcc or a static libc is missing, the tool is reported
 * missing with the reason, like a host tool that is not installed.
 *
 * @param name     tool name (the key in {@link WorkloadImage#tools()})
 * @param resource classpath resource holding the C source
 */
public record BuiltTool(String name, String resource) {
    /** Debian packages needed to build these tools. */
    public static final java.util.List<String> PACKAGES = java.util.List.of("gcc", "libc6-dev");
}
