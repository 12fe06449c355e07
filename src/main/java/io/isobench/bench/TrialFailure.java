package io.isobench.bench;

/** A trial that produced no valid measurement; recorded with its reason and the raw tool output. */
public class TrialFailure extends Exception {
    private final String rawOutput;

    public TrialFailure(String reason, String rawOutput) {
        super(reason);
        this.rawOutput = rawOutput == null ? "" : rawOutput;
    }

    public String reason() {
        return getMessage();
    }

    public String rawOutput() {
        return rawOutput;
    }
}
