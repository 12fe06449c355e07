package io.isobench.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free 127.0.0.1 ports that a sandbox's host side will listen on later (QEMU's user-mode forwards, Incus's proxy
 * devices): the kernel offers one, and it is reserved in this process until released, so that two sandboxes of any
 * runtime never get the same port between the pick and the listen.
 */
public final class LoopbackPorts {
    private static final Set<Integer> RESERVED = new HashSet<>();

    private LoopbackPorts() {
    }

    /** A free loopback port, reserved until {@link #release}. */
    public static int reserve() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            synchronized (RESERVED) {
                if (RESERVED.add(port)) {
                    return port;
                }
            }
        }
        throw new IOException("every port the kernel offered is already reserved by this process");
    }

    public static void release(Iterable<Integer> ports) {
        synchronized (RESERVED) {
            for (int p : ports) {
                RESERVED.remove(p);
            }
        }
    }
}
