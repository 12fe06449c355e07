package io.isobench.bench.micro;

import io.isobench.bench.CommandBenchmark.CheckFailed;
import io.isobench.bench.CommandBenchmark.ParseException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "key value" lines of {@code ml/isobench_ml.py}: {@code torch}, {@code threads}, {@code import_s}, {@code model
 * M mode X batch N image WxH}, {@code first_batch_s}, one {@code batch I SECONDS} per measured batch,
 * {@code last_value}, {@code batches_done}, {@code elapsed_s}, {@code images_per_second}.
 */
record MlOutput(Map<String, String> fields, int batchLines, String modelLine) {

    static MlOutput parse(String stdout) throws ParseException {
        Map<String, String> f = new LinkedHashMap<>();
        int batchLines = 0;
        String model = null;
        for (String line : stdout.split("\n")) {
            String l = line.strip();
            int sp = l.indexOf(' ');
            if (sp <= 0) {
                continue;
            }
            String key = l.substring(0, sp);
            String value = l.substring(sp + 1).strip();
            switch (key) {
                case "batch" -> batchLines++;
                case "model" -> model = l;
                default -> f.put(key, value);
            }
        }
        if (!f.containsKey("images_per_second")) {
            throw new ParseException("no 'images_per_second' line (the driver script did not finish)");
        }
        if (model == null) {
            throw new ParseException("no 'model ...' line");
        }
        return new MlOutput(Map.copyOf(f), batchLines, model);
    }

    double number(String key) throws ParseException {
        String v = fields.get(key);
        if (v == null) {
            throw new ParseException("no '" + key + "' line");
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new ParseException("'" + key + " " + v + "' is not a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ParseException("'" + key + " " + v + "' is not a number");
        }
    }

    double imagesPerSecond() throws ParseException {
        return number("images_per_second");
    }

    double firstBatchSeconds() throws ParseException {
        return number("first_batch_s");
    }

    String torchVersion() {
        return fields.getOrDefault("torch", "");
    }

    /** The run did what was asked: this model, mode and batch size, every batch, a finite loss (training did not diverge). */
    void check(String model, String mode, long batch, long batches) throws ParseException {
        String want = "model " + model + " mode " + mode + " batch " + batch + " ";
        if (!modelLine.startsWith(want)) {
            throw new CheckFailed("asked for " + want.strip() + ", the driver said '" + modelLine + "'");
        }
        long done = (long) number("batches_done");
        if (done != batches || batchLines != batches) {
            throw new CheckFailed("asked for " + batches + " measured batches, the driver said 'batches_done " + done
                    + "' and timed " + batchLines);
        }
        if ("nan".equals(fields.get("last_value"))) {
            throw new CheckFailed("'last_value nan': the " + (mode.equals("train") ? "loss" : "output")
                    + " is not a finite number");
        }
        double ips = imagesPerSecond();
        double expect = batch * batches / number("elapsed_s");
        if (!(ips > 0) || Math.abs(ips - expect) > expect * 0.01) {
            throw new ParseException("images_per_second " + ips + " does not match " + batch + " x " + batches
                    + " images in elapsed_s " + fields.get("elapsed_s"));
        }
    }
}
