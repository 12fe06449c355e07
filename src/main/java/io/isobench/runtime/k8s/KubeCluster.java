package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The Kubernetes cluster of the user's usual configuration ({@code $KUBECONFIG}, {@code ~/.kube/config}, or the pod's
 * service account when isobench runs in a cluster), as kubectl finds it, and the namespace isobench works in
 * ({@value #NAMESPACE_ENV}, else the configuration's, else "default"). Whether a configuration exists is decided
 * without loading the client ({@link #configMissing}), so commands on a machine without Kubernetes pay nothing for it.
 * Shared by {@code runtime.k8s} and {@code fleet.kubernetes}.
 */
public final class KubeCluster implements AutoCloseable {
    public static final String NAMESPACE_ENV = "ISOBENCH_K8S_NAMESPACE";
    /** Every API call's timeout (connect and request): a wedged API server gives a reason, not a hang. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    private static KubeCluster shared;

    private final KubernetesClient client;
    private final String namespace;

    public KubeCluster(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public KubernetesClient client() {
        return client;
    }

    public String namespace() {
        return namespace;
    }

    /** The API server's URL, for details and messages. */
    public String server() {
        return client.getConfiguration().getMasterUrl();
    }

    /**
     * Null when a Kubernetes configuration is there to try, else why not (one line): {@code $KUBECONFIG} naming an
     * existing file, {@code ~/.kube/config}, or a service account token with {@code $KUBERNETES_SERVICE_HOST}.
     */
    public static String configMissing(Map<String, String> env, Path home) {
        String kc = env.get("KUBECONFIG");
        if (kc != null && !kc.isBlank()) {
            for (String f : kc.split(":")) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f))) {
                    return null;
                }
            }
            return "no Kubernetes configuration: $KUBECONFIG names no existing file (" + kc + ")";
        }
        if (home != null && Files.isRegularFile(home.resolve(".kube/config"))) {
            return null;
        }
        if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(SERVICE_ACCOUNT_TOKEN)) {
            return null;
        }
        return "no Kubernetes configuration (no $KUBECONFIG, no ~/.kube/config, not in a pod with a service account)";
    }

    /** {@link #configMissing} for this process. */
    public static String configMissing() {
        String home = System.getProperty("user.home");
        return configMissing(System.getenv(), home == null ? null : Path.of(home));
    }

    /**
     * The cluster of this process's configuration, connected once per process (the client itself makes no request
     * until asked).
     *
     * @throws KubeException when there is no configuration or it cannot be read
     */
    public static synchronized KubeCluster shared() throws KubeException {
        if (shared == null) {
            String missing = configMissing();
            if (missing != null) {
                throw new KubeException(missing);
            }
            try {
                Config config = Config.autoConfigure(null);
                config.setRequestTimeout((int) REQUEST_TIMEOUT.toMillis());
                config.setConnectionTimeout((int) REQUEST_TIMEOUT.toMillis());
                String env = System.getenv(NAMESPACE_ENV);
                String ns = env != null && !env.isBlank() ? env
                        : config.getNamespace() != null ? config.getNamespace() : "default";
                shared = new KubeCluster(new KubernetesClientBuilder().withConfig(config).build(), ns);
            } catch (KubernetesClientException | IllegalArgumentException e) {
                throw new KubeException("the Kubernetes configuration could not be read: " + oneLine(e), e);
            }
        }
        return shared;
    }

    /** One line of a client exception: the API server's own message and code where it sent one. */
    public static String oneLine(Throwable e) {
        if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage() + " (HTTP " + k.getCode() + ")";
        }
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() != null && t.getMessage().startsWith("An error has occurred")) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        client.close();
    }

    /** The cluster could not be reached or refused: one line for the user. */
    public static final class KubeException extends Exception {
        public KubeException(String message) {
            super(message);
        }

        public KubeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
