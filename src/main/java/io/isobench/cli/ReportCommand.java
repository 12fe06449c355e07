package io.isobench.cli;

import io.isobench.report.ReportRun;
import io.isobench.report.ReportWriter;
import io.isobench.store.Store;
import io.isobench.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `isobench report RUN… --out FILE`: a self-contained HTML report (or md, csv, json). */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a report of one or more runs: self-contained HTML with inline SVG charts, or md/csv/json.",
                "Runs from several hosts are first put side by side: each host's cost factors against its own baseline, "
                        + "the host facts and runtime builds that differ, and charts with hosts as groups."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN", description = "run ids, unique prefixes, or 'latest'")
    List<String> runs;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "output file ('-' for stdout; default: stdout)")
    String out = "-";

    @Option(names = "--format", paramLabel = "FORMAT", description = "html (default), md, csv or json")
    String format;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String fmt = format != null ? format : out.endsWith(".md") ? "md" : out.endsWith(".csv") ? "csv"
                : out.endsWith(".json") ? "json" : "html";
        ReportWriter writer = ReportWriter.forFormat(fmt);
        Path target = out.equals("-") ? null : Path.of(out);
        if (target != null && Files.isDirectory(target)) {
            throw new UserException("--out: " + target + " is a directory (give a file name)");
        }
        List<ReportRun> rs = new ArrayList<>();
        try (Store store = common.openExistingStore()) {
            for (String r : runs) {
                rs.add(ReportRun.of(store.loadRun(store.resolveRunId(r))));
            }
        }
        if (out.equals("-")) {
            Writer w = spec.commandLine().getOut();
            writer.write(rs, w);
            w.flush();
            return 0;
        }
        Path p = target;
        try (Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            writer.write(rs, w);
        } catch (java.nio.file.FileSystemException e) {
            throw new UserException("cannot write " + p + ": " + (e.getReason() != null ? e.getReason()
                    : e.getClass().getSimpleName().replace("Exception", "")));
        }
        System.err.println("isobench: wrote " + p.toAbsolutePath());
        return 0;
    }
}
