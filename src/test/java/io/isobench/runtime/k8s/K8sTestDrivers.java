package io.isobench.runtime.k8s;

import io.isobench.runtime.RuntimeDriver;

import java.util.Map;

/** k8s drivers on a {@link MockCluster} for tests outside this package (the benchmarks' code path). */
public final class K8sTestDrivers {
    private K8sTestDrivers() {
    }

    /** {@code k8s:RC} on the mock with this environment (image, network mode, IP wait). */
    public static RuntimeDriver k8s(String runtimeClass, MockCluster mock, Map<String, String> env) {
        return new K8sDriver(runtimeClass, () -> mock.cluster, env::get);
    }
}
