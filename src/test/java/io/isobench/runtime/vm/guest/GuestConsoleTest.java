package io.isobench.runtime.vm.guest;


import io.isobench.TestFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Marker framing on real captured guest consoles (fixtures/qemu, see COMMANDS.md there). */
class GuestConsoleTest {
    private static final String NONCE = "5f3a9c0e1b2d4a67";

    private static GuestConsole feed(String text, List<String> delivered) {
        GuestConsole c = new GuestConsole(NONCE, (line, t) -> delivered.add(line));
        long t = 0;
        for (String line : text.split("\n", -1)) {
            c.line(line, t++);
        }
        return c;
    }

    @Test
    void virtioConsoleOfMicrovm() throws Exception {
        List<String> lines = new ArrayList<>();
        GuestConsole c = feed(TestFixtures.read("qemu/microvm-hvc0.txt"), lines);
        assertThat(c.exitCode()).isEqualTo(7);
        assertThat(lines.get(0)).startsWith("@@ISOBENCH-EXIT 0000000000000000 3@@");
        assertThat(lines).contains("sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("last line without newline");
        assertThat(lines).noneMatch(l -> l.endsWith("\r") || l.contains("@@ISOBENCH-BEGIN"));
        assertThat(c.output()).isEqualTo(String.join("\n", lines) + "\n");
        assertThat(c.beginNanos()).isEqualTo(0);
        assertThat(c.output()).contains("    events per second:   350.77\n", "Threads fairness:\n");
    }

    @Test
    void kernelLogOnTheSameStreamIsNotOutput() throws Exception {
        String text = TestFixtures.read("qemu/q35-serial-mixed.txt");
        assertThat(text).contains("Linux version 6.1.0-56-cloud-amd64", "reboot: Power down");
        List<String> lines = new ArrayList<>();
        GuestConsole c = feed(text, lines);
        assertThat(c.exitCode()).isEqualTo(7);
        assertThat(lines).noneMatch(l -> l.contains("Linux version") || l.contains("reboot: Power down")
                || l.matches("^\\[\\s*\\d+\\.\\d+\\].*"));
        assertThat(lines).anyMatch(l -> l.contains("events per second:"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("last line without newline");
    }

    @Test
    void markersWithAnotherNonceOrBeforeBeginAreIgnored() {
        List<String> lines = new ArrayList<>();
        GuestConsole c = new GuestConsole(NONCE, (l, t) -> lines.add(l));
        c.line("@@ISOBENCH-BEGIN 0000000000000000@@", 1);
        c.line("@@ISOBENCH-EXIT " + NONCE + " 0@@ before begin", 2);
        c.line("noise", 3);
        assertThat(c.begun()).isFalse();
        // SeaBIOS clears the screen on the same line as the marker (seen on q35 in the exploration)
        c.line("\u001bc\u001b[?7l\u001b[2J@@ISOBENCH-BEGIN " + NONCE + "@@", 10);
        c.line("hello\r", 11);
        c.line("@@ISOBENCH-EXIT " + NONCE + " 0@@", 25);
        c.line("[    3.29] reboot: Power down", 26);
        assertThat(lines).containsExactly("hello");
        assertThat(c.exitCode()).isZero();
        assertThat(c.exitNanos() - c.beginNanos()).isEqualTo(15);
    }

    @Test
    void noExitMarkerMeansNoStatus() {
        GuestConsole c = new GuestConsole(NONCE, null);
        c.line("@@ISOBENCH-BEGIN " + NONCE + "@@", 1);
        c.line("partial", 2);
        assertThat(c.exitCode()).isNull();
        assertThat(c.output()).isEqualTo("partial\n");
    }

    /** The BEGIN hook (a VM's host forwards) runs once, before the first framed line is passed on. */
    @Test
    void beginHookRunsOnceBeforeTheFirstFramedLine() throws Exception {
        List<String> events = new ArrayList<>();
        GuestConsole c = new GuestConsole(NONCE, (line, t) -> events.add(line));
        c.onBegin(() -> events.add("<begin>"));
        long t = 0;
        for (String line : TestFixtures.read("qemu/microvm-hvc0.txt").split("\n", -1)) {
            c.line(line, t++);
        }
        assertThat(events).filteredOn("<begin>"::equals).hasSize(1);
        assertThat(events.get(0)).isEqualTo("<begin>");
        assertThat(events.subList(1, events.size())).isNotEmpty().doesNotContain("<begin>");
    }

    /** The guest's clock source: the kernel's last switch in a real q35 (TCG) boot log, or /init's own line after it. */
    @Test
    void guestClocksourceIsTheLastOneReported() {
        String boot = TestFixtures.read("qemu/q35-serial-mixed.txt");
        assertThat(GuestConsole.clocksource(boot)).isEqualTo("hpet");
        assertThat(GuestConsole.clocksource(boot + "isobench-info: clocksource acpi_pm\n")).isEqualTo("acpi_pm");
        assertThat(GuestConsole.clocksource("isobench: guest clocksource tsc\n")).isEqualTo("tsc");
        assertThat(GuestConsole.clocksource("isobench-info: clocksource \nno more")).isNull();
    }
}
