package io.isobench.fleet;

/** One node's job as the engine sees it. {@code reason}: the engine's own words when it failed or is pending. */
public record NodeJobState(String node, String jobName, Phase phase, String reason) {
    public enum Phase { PENDING, RUNNING, SUCCEEDED, FAILED }
}
