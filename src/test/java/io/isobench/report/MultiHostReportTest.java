package io.isobench.report;

import io.isobench.store.StoredRun;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Runs from two hosts whose native speeds differ fourfold: each host's cost must be its own runtime over its own
 * native (a mix-up gives about 4x or 0.25x and is caught).
 */
class MultiHostReportTest {
    static Map<String, Object> host(String name, String cpu, int cpus, String kernel) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("hostname", name);
        h.put("os", "Debian GNU/Linux 12 (bookworm)");
        h.put("kernel", kernel);
        h.put("arch", "amd64");
        h.put("cpu_model", cpu);
        h.put("cpus", cpus);
        h.put("memory_bytes", (long) cpus << 31);
        h.put("cgroup", "hybrid");
        h.put("kvm", Map.of("present", false, "usable", false, "detail", "no /dev/kvm"));
        return h;
    }

    /** native at {@code nat} events/s and runc/runsc at nat / cost (higher is better), 5 interleaved rounds. */
    static StoredRun run(String id, Map<String, Object> host, double nat, double runcCost, double runscCost, String runscSha) {
        List<StoredRun.SampleRow> s = new ArrayList<>();
        double[] jitter = {1.0, 1.004, 0.997, 1.002, 0.999};
        for (int i = 0; i < 5; i++) {
            s.add(new StoredRun.SampleRow("cpu", "{\"threads\":\"1\"}", "native", i + 1, false, "events_per_second", "events/s", true, nat * jitter[i]));
            s.add(new StoredRun.SampleRow("cpu", "{\"threads\":\"1\"}", "runc", i + 1, false, "events_per_second", "events/s", true,
                    nat / runcCost * jitter[4 - i]));
            s.add(new StoredRun.SampleRow("cpu", "{\"threads\":\"1\"}", "runsc", i + 1, false, "events_per_second", "events/s", true,
                    nat / runscCost * jitter[(i + 2) % 5]));
        }
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("baseline", "native");
        return new StoredRun(new StoredRun.Header(id, "2026-12-01T00:00:00Z", "2026-12-01T00:05:00Z", "completed", "0.1.0", host, plan,
                Map.of(), null, null),
                List.of(new StoredRun.RuntimeRow("native", "native", true, "6.1", null, Map.of()),
                        new StoredRun.RuntimeRow("runc", "container", true, "1.1.5", null, Map.of()),
                        new StoredRun.RuntimeRow("runsc", "sandbox", true, "0.0~20221219.0", null,
                                Map.of("platform", "ptrace", "runsc_version", "0.0~20221219.0", "runsc_sha256", runscSha))),
                s, List.of(), List.of());
    }

    static final String SHA_A = "aaaaaaaaaaaa" + "0".repeat(52);
    static final String SHA_B = "bbbbbbbbbbbb" + "0".repeat(52);

    static MultiHostReport twoHosts(String shaB) {
        StoredRun fast = run("run-fast", host("fast", "Big CPU", 16, "6.12.0"), 4000, 1.10, 2.0, SHA_A);
        StoredRun slow = run("run-slow", host("slow", "Small CPU", 2, "6.1.0"), 1000, 1.30, 3.0, shaB);
        return MultiHostReport.of(List.of(ReportRun.of(fast), ReportRun.of(slow)));
    }

    @Test
    void eachHostsCostIsAgainstItsOwnNative() {
        MultiHostReport m = twoHosts(SHA_A);
        assertThat(m.multiHost()).isTrue();
        assertThat(m.hosts()).containsExactly("fast", "slow");
        assertThat(m.columns()).extracting(MultiHostReport.Column::label).containsExactly("fast", "slow");
        List<MultiHostReport.Line> lines = m.lines();
        assertThat(lines).extracting(MultiHostReport.Line::runtime).containsExactly("native", "runc", "runsc");
        MultiHostReport.Line nat = lines.get(0);
        assertThat(nat.baseline()).isTrue();
        assertThat(nat.perColumn().get(0).median()).isCloseTo(4000, within(20.0));
        assertThat(nat.perColumn().get(1).median()).isCloseTo(1000, within(5.0));
        MultiHostReport.Line runc = lines.get(1);
        // mixed up, slow's runc (about 769/s) against fast's native would be about 5.2x, fast's against slow's 0.27x
        assertThat(runc.perColumn().get(0).ratioToBaseline()).isCloseTo(1.10, within(0.01));
        assertThat(runc.perColumn().get(1).ratioToBaseline()).isCloseTo(1.30, within(0.01));
        assertThat(lines.get(2).perColumn().get(1).ratioToBaseline()).isCloseTo(3.0, within(0.03));
        assertThat(runc.builds()).isNull();
        assertThat(lines.get(2).builds()).as("same gVisor build on both hosts").isNull();
    }

    @Test
    void factsThatDifferAndGvisorBuildsAreNamed() {
        MultiHostReport m = twoHosts(SHA_B);
        List<String> differ = m.differingFacts().stream().map(MultiHostReport.Fact::name).toList();
        assertThat(differ).contains("CPU model", "CPUs", "memory", "kernel", "runtime runsc")
                .doesNotContain("OS", "cgroup mode", "KVM", "runtime runc", "isobench");
        MultiHostReport.Fact runsc = m.differingFacts().stream().filter(f -> f.name().equals("runtime runsc")).findFirst().orElseThrow();
        assertThat(runsc.perColumn().get(0)).contains("gVisor", "aaaaaaaaaaaa");
        assertThat(runsc.perColumn().get(1)).contains("bbbbbbbbbbbb");
        assertThat(m.lines().get(2).builds()).startsWith("different gVisor builds: fast ").contains("slow ");
    }

    @Test
    void htmlAndMarkdownPutHostsSideBySideWithAGroupedChart() throws Exception {
        MultiHostReport m = twoHosts(SHA_B);
        List<ReportRun> runs = m.columns().stream().map(MultiHostReport.Column::run).toList();
        StringWriter html = new StringWriter();
        new HtmlReport().write(runs, html);
        String h = html.toString();
        assertThat(h).contains("Hosts side by side: fast, slow").contains("What differs between the hosts")
                .contains("Big CPU").contains("Small CPU");
        assertThat(ReportWritersTest.count(h, "class=\"chart grouped\"")).isEqualTo(1);
        // one group label per host, one bar per sandboxed runtime and host, a reference line at 1x
        assertThat(ReportWritersTest.count(h, "glabel")).isEqualTo(2);
        assertThat(ReportWritersTest.count(h, "<rect class=\"bar\" x=")).isGreaterThanOrEqualTo(4);
        assertThat(h).contains("class=\"reference\"").contains("1× = each host");
        assertThat(h).contains("runsc *");

        StringWriter md = new StringWriter();
        new MarkdownReport().write(runs, md);
        String x = md.toString();
        assertThat(x).contains("# Hosts side by side: fast, slow").contains("cpu · events_per_second: cost per host")
                .contains("| fast | runc | 1.100× [").contains("| slow | runc | 1.300× [").contains("█").contains("┃");
        // the single-host report has no such section
        StringWriter one = new StringWriter();
        new MarkdownReport().write(List.of(runs.get(0)), one);
        assertThat(one.toString()).doesNotContain("side by side");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonReportHasTheHostsSectionBesideEachRunsOwnContract() throws Exception {
        MultiHostReport m = twoHosts(SHA_B);
        List<ReportRun> runs = m.columns().stream().map(MultiHostReport.Column::run).toList();
        StringWriter w = new StringWriter();
        new JsonReport().write(runs, w);
        List<Map<String, Object>> doc = io.isobench.util.Json.MAPPER.readValue(w.toString(),
                new tools.jackson.core.type.TypeReference<List<Map<String, Object>>>() { });
        assertThat(doc).hasSize(2);
        assertThat(doc).extracting(r -> r.get("run_id")).containsExactly("run-fast", "run-slow"); // the run contract stays
        assertThat(doc.get(0).get("hosts")).isEqualTo(doc.get(1).get("hosts"));
        Map<String, Object> hosts = (Map<String, Object>) doc.get(0).get("hosts");
        assertThat(hosts.get("hosts")).isEqualTo(List.of("fast", "slow"));
        assertThat((List<Map<String, Object>>) hosts.get("columns")).extracting(c -> c.get("run_id"))
                .containsExactly("run-fast", "run-slow");
        assertThat(hosts.get("baseline")).isEqualTo("native");
        List<Map<String, Object>> results = (List<Map<String, Object>>) hosts.get("results");
        assertThat(results).extracting(r -> r.get("runtime")).containsExactly("native", "runc", "runsc");
        List<Map<String, Object>> nat = (List<Map<String, Object>>) results.get(0).get("per_column");
        assertThat(results.get(0).get("is_baseline")).isEqualTo(true);
        assertThat(((Number) nat.get(0).get("median")).doubleValue()).isCloseTo(4000, within(20.0));
        assertThat(((Number) nat.get(1).get("median")).doubleValue()).isCloseTo(1000, within(5.0));
        List<Map<String, Object>> runc = (List<Map<String, Object>>) results.get(1).get("per_column");
        assertThat(((Number) runc.get(0).get("ratio_to_baseline")).doubleValue()).isCloseTo(1.10, within(0.01));
        assertThat(((Number) runc.get(1).get("ratio_to_baseline")).doubleValue()).isCloseTo(1.30, within(0.01));
        assertThat(((Number) runc.get(1).get("ratio_ci95_low")).doubleValue()).isLessThanOrEqualTo(1.30);
        assertThat(((Number) runc.get(1).get("ratio_ci95_high")).doubleValue()).isGreaterThanOrEqualTo(1.30);
        assertThat((String) results.get(2).get("builds")).startsWith("different gVisor builds");
        assertThat((List<Map<String, Object>>) hosts.get("differing_facts")).extracting(f -> f.get("name"))
                .contains("CPU model", "CPUs", "kernel").doesNotContain("OS");

        StringWriter one = new StringWriter();
        new JsonReport().write(List.of(runs.get(0)), one);
        assertThat(one.toString()).doesNotContain("\"hosts\"");
    }

    @Test
    void textSideBySide() {
        StringWriter w = new StringWriter();
        twoHosts(SHA_B).print(new PrintWriter(w));
        String t = w.toString();
        assertThat(t).contains("hosts side by side: fast = run run-fast, slow = run run-slow")
                .containsPattern("runc\\s+1\\.100x\\*?\\s+1\\.300x")
                .contains("different gVisor builds");
    }

    @Test
    void sameHostnameOtherHardwareIsAnotherHostAndSeveralRunsOfOneHostAreColumns() {
        StoredRun a1 = run("a1", host("node", "Big CPU", 16, "6.12.0"), 4000, 1.1, 2, SHA_A);
        StoredRun a2 = run("a2", host("node", "Big CPU", 16, "6.12.1"), 4000, 1.1, 2, SHA_A);
        StoredRun b = run("b", host("node", "Small CPU", 2, "6.1.0"), 1000, 1.3, 3, SHA_A);
        MultiHostReport m = MultiHostReport.of(List.of(ReportRun.of(a1), ReportRun.of(b), ReportRun.of(a2)));
        assertThat(m.hosts()).containsExactly("node", "node (2)");
        assertThat(m.columns()).extracting(MultiHostReport.Column::label).containsExactly("node · a1", "node · a2", "node (2)");
    }
}
