package io.isobench.runtime.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.isobench.proc.WorkDir;
import io.isobench.runtime.Leftovers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Objects a dead isobench left on a cluster. Every pod or VMI is written to {@value #LEDGER} in the creating process's
 * work dir before it is created ("pod NAMESPACE NAME LAUNCH"); the sweep reads the ledgers of dead work dirs only, so
 * no cluster is asked unless a dead isobench created something there, and deletes an object only while it still
 * carries the recorded launch token.
 */
enum K8sLeftovers implements Leftovers {
    INSTANCE;

    static final String LEDGER = "k8s-objects";

    /** Records an object this process is about to create. */
    static void record(String kind, String namespace, String name, String launch) {
        try {
            Files.writeString(WorkDir.get().resolve(LEDGER), kind + " " + namespace + " " + name + " " + launch + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the object still gets its Cleanup action; only the after-SIGKILL sweep loses it
        }
    }

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        return sweep(deadWorkDirs, KubeCluster::shared);
    }

    List<String> sweep(List<Path> deadWorkDirs, K8sDriver.ClusterSource source) {
        List<String> done = new ArrayList<>();
        List<String[]> entries = new ArrayList<>();
        for (Path d : deadWorkDirs) {
            Path ledger = d.resolve(LEDGER);
            try {
                if (Files.isRegularFile(ledger)) {
                    Files.readAllLines(ledger).stream().map(l -> l.strip().split(" ")).filter(f -> f.length == 4).forEach(entries::add);
                }
            } catch (IOException e) {
                // unreadable: nothing provable
            }
        }
        if (entries.isEmpty()) {
            return done;
        }
        KubeCluster c;
        try {
            c = source.get();
        } catch (KubeCluster.KubeException e) {
            return List.of("Kubernetes objects of a dead isobench not removed: " + e.getMessage());
        }
        for (String[] f : entries) {
            try {
                Resource<? extends HasMetadata> r = f[0].equals("pod")
                        ? c.client().pods().inNamespace(f[1]).withName(f[2])
                        : c.client().genericKubernetesResources(VmiSandbox.VMI).inNamespace(f[1]).withName(f[2]);
                HasMetadata o = r.get();
                if (o != null && f[3].equals(o.getMetadata().getLabels() == null ? null
                        : o.getMetadata().getLabels().get(PodManifests.LAUNCH))) {
                    r.delete();
                    done.add("Kubernetes " + f[0] + " " + f[1] + "/" + f[2]);
                }
            } catch (KubernetesClientException e) {
                done.add("Kubernetes " + f[0] + " " + f[1] + "/" + f[2] + " not removed: " + KubeCluster.oneLine(e));
            }
        }
        return done;
    }
}
