package io.isobench;

import io.isobench.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user documentation stays navigable: every relative link in README.md and docs/*.md points at a file that
 * exists and, with a {@code #fragment} into a Markdown file, at a heading of that file (GitHub's anchor rules); and
 * every {@code ./isobench <command>} the README shows is a real subcommand.
 */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```[^\\n]*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern COMMAND = Pattern.compile("\\./isobench\\s+([a-z][a-z-]*)");

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Markdown without fenced code blocks (their text is not links or headings). */
    static String prose(String markdown) {
        return FENCE.matcher(markdown).replaceAll("");
    }

    /** GitHub's heading anchor: lower case, markup and punctuation dropped (not '-' or '_'), each space a '-'. */
    static String anchor(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "")
                .toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == ' ') {
                sb.append('-');
            } else if (c == '-' || c == '_' || Character.isLetterOrDigit(c)) {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    static Set<String> anchors(Path markdown) throws IOException {
        Set<String> out = new HashSet<>();
        Matcher m = HEADING.matcher(prose(Files.readString(markdown)));
        while (m.find()) {
            String a = anchor(m.group(1));
            String unique = a;
            for (int i = 1; !out.add(unique); i++) {
                unique = a + "-" + i;
            }
        }
        return out;
    }

    @Test
    void anchorsFollowGithubRules() {
        assertThat(anchor("Timeouts, Ctrl-C and what a killed run leaves")).isEqualTo("timeouts-ctrl-c-and-what-a-killed-run-leaves");
        assertThat(anchor("Disk (disk-fio, disk-dd, disk-fileio)")).isEqualTo("disk-disk-fio-disk-dd-disk-fileio");
        assertThat(anchor("`proc`, `util`")).isEqualTo("proc-util");
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : documents()) {
            String text = INLINE_CODE.matcher(prose(Files.readString(doc))).replaceAll("x");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String link = m.group(1);
                if (link.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                    continue; // https:, mailto: ...
                }
                int hash = link.indexOf('#');
                String file = hash < 0 ? link : link.substring(0, hash);
                String fragment = hash < 0 ? null : link.substring(hash + 1);
                Path target = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(target)) {
                    broken.add(doc + ": " + link + " (no such file)");
                } else if (fragment != null && target.toString().endsWith(".md") && !anchors(target).contains(fragment)) {
                    broken.add(doc + ": " + link + " (no such heading in " + target.getFileName() + ")");
                }
            }
        }
        assertThat(broken).as("broken links in README.md and docs/").isEmpty();
    }

    @Test
    void everyCommandTheReadmeShowsExists() throws IOException {
        Set<String> real = new CommandLine(new Main()).getSubcommands().keySet();
        Set<String> shown = new TreeSet<>();
        Matcher m = COMMAND.matcher(Files.readString(Path.of("README.md")));
        while (m.find()) {
            shown.add(m.group(1));
        }
        assertThat(shown).as("README mentions ./isobench commands").contains("run", "report");
        assertThat(real).as("subcommands of the real CLI").containsAll(shown);
    }
}
