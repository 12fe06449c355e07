package io.isobench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layers of docs/ARCHITECTURE.md, top to bottom: code in a package may use only its own layer entry and the
 * layers below it (a subpackage belongs to the longest entry that prefixes it, e.g. {@code runtime.oci} to
 * {@code runtime}; entries on one level do not use each other). Checked on the imports and fully qualified names
 * of every main source file.
 */
class LayeringTest {
    /** The one place the layer order is written (the architecture document shows the same line). */
    static final List<List<String>> LAYERS = List.of(
            List.of("cli"),
            List.of("fleet"),
            List.of("setup"),
            List.of("report"),
            List.of("exec"),
            List.of("analysis"),
            List.of("plan"),
            List.of("store"),
            List.of("bench.registry"),
            List.of("bench.micro", "bench.fleet", "bench.disk", "bench.server"),
            List.of("bench.sysbench"),
            List.of("bench"),
            List.of("measure"),
            List.of("runtime"),
            List.of("host"),
            List.of("image"),
            List.of("proc"),
            List.of("util"));

    private static final Path MAIN = Path.of("src/main/java/io/isobench");
    private static final Pattern PACKAGE = Pattern.compile("^package io\\.isobench\\.([a-z0-9.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.isobench\\.((?:[a-z][a-z0-9]*\\.)*[a-z][a-z0-9]*)\\.(?:[A-Z*])");

    @Test
    void noPackageUsesALayerAboveItOrAPeer() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                violations.addAll(violations(MAIN.relativize(f).toString(), Files.readString(f)));
            }
        }
        assertThat(violations).as("upward or sideways dependencies (layer order in LayeringTest.LAYERS)").isEmpty();
    }

    @Test
    void everyMainPackageHasALayer() throws IOException {
        try (Stream<Path> dirs = Files.walk(MAIN)) {
            List<String> unplaced = dirs.filter(Files::isDirectory).filter(d -> !d.equals(MAIN))
                    .map(d -> MAIN.relativize(d).toString().replace('/', '.'))
                    .filter(p -> entry(p) == null).toList();
            assertThat(unplaced).as("packages with no layer in LayeringTest.LAYERS").isEmpty();
        }
    }

    @Test
    void theCheckerCatchesUpwardSidewaysAndFullyQualifiedUses() {
        assertThat(violations("util/X.java", "package io.isobench.util;\nimport io.isobench.proc.Cleanup;\n"))
                .containsExactly("util/X.java: util -> proc");
        assertThat(violations("bench/disk/X.java", "package io.isobench.bench.disk;\n"
                + "class X { Object o = new io.isobench.bench.server.ServerTrial(); }"))
                .containsExactly("bench/disk/X.java: bench.disk -> bench.server");
        assertThat(violations("runtime/oci/X.java", "package io.isobench.runtime.oci;\n"
                + "import io.isobench.runtime.LaunchSpec;\nimport io.isobench.proc.*;\nimport static io.isobench.util.Units.parseSize;\n"))
                .isEmpty();
        assertThat(violations("bench/X.java", "package io.isobench.bench;\nimport io.isobench.bench.registry.Benchmarks;\n"))
                .containsExactly("bench/X.java: bench -> bench.registry");
    }

    @Test
    void theKubernetesPackagesBelongToTheLayersTheyImplement() {
        // fleet.kubernetes implements fleet.FleetEngine and is listed by fleet.FleetEngines; runtime.k8s implements
        // runtime.RuntimeDriver and is listed by runtime.Runtimes: each is part of its parent's layer, and
        // fleet.kubernetes may use runtime.k8s (below it), never the other way round
        assertThat(entry("fleet.kubernetes")).isEqualTo("fleet");
        assertThat(entry("runtime.k8s")).isEqualTo("runtime");
        assertThat(violations("runtime/k8s/X.java", "package io.isobench.runtime.k8s;\nimport io.isobench.fleet.kubernetes.AgentJobs;\n"))
                .containsExactly("runtime/k8s/X.java: runtime -> fleet");
        assertThat(violations("fleet/kubernetes/X.java", "package io.isobench.fleet.kubernetes;\nimport io.isobench.runtime.k8s.KubeCluster;\n"))
                .isEmpty();
    }

    @Test
    void theArchitectureDocumentShowsThisOrder() throws IOException {
        String order = LAYERS.stream().map(level -> level.stream().map(p -> "`" + p + "`")
                .collect(Collectors.joining(" "))).collect(Collectors.joining(" > "));
        assertThat(Files.readString(Path.of("docs/ARCHITECTURE.md"))).contains(order);
    }

    static List<String> violations(String file, String source) {
        Matcher pm = PACKAGE.matcher(source);
        if (!pm.find()) {
            return List.of(file + ": no io.isobench package");
        }
        String own = entry(pm.group(1));
        if (own == null) {
            return List.of(file + ": package " + pm.group(1) + " has no layer");
        }
        TreeSet<String> bad = new TreeSet<>();
        Matcher m = REFERENCE.matcher(source);
        while (m.find()) {
            String used = entry(m.group(1));
            if (used == null) {
                bad.add(m.group(1) + " (no layer)");
            } else if (!used.equals(own) && level(used) <= level(own)) {
                bad.add(used);
            }
        }
        return bad.stream().map(u -> file + ": " + own + " -> " + u).toList();
    }

    /** The layer entry a package belongs to: the longest entry equal to it or prefixing it. */
    static String entry(String pkg) {
        return LAYERS.stream().flatMap(List::stream)
                .filter(e -> pkg.equals(e) || pkg.startsWith(e + "."))
                .max(Comparator.comparingInt(String::length)).orElse(null);
    }

    static int level(String entry) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(entry)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a layer entry: " + entry);
    }
}
