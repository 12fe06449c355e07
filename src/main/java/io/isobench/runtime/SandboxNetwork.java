package io.isobench.runtime;

import java.net.InetSocketAddress;

/**
 * How the host reaches one sandbox's TCP ports (see {@link NetworkSpec}). Made by a driver at launch, owned by the
 * sandbox, closed with it (removing namespaces, links, forwards).
 */
public interface SandboxNetwork extends AutoCloseable {
    /** The host-side address of the workload's {@code port}. */
    InetSocketAddress endpoint(int port);

    /** The path the traffic takes, for results, e.g. "veth pair into netns isobench-12-3 (10.213.0.6/30)". */
    String description();

    @Override
    void close();
}
