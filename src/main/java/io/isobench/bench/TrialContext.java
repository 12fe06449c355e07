package io.isobench.bench;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;

import java.time.Duration;
import java.util.List;

/**
 * Everything one trial (one repetition of one benchmark case in one runtime) may use.
 *
 * @param instancePrefix unique prefix for sandbox names of this trial
 */
public record TrialContext(RuntimeDriver driver, WorkloadImage image, Limits limits, Params params,
                           Duration timeout, String instancePrefix) {

    /**
     * The spec of this trial's sandbox (its instance name, image and limits) running {@code argv}; everything else
     * has {@link LaunchSpec#builder}'s defaults until set.
     */
    public LaunchSpec.Builder launchSpec(List<String> argv) {
        return LaunchSpec.builder(instancePrefix, image, limits).argv(argv);
    }
}
