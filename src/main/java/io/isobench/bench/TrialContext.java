package io.isobench.bench;

import io.isobench.image.WorkloadImage;
import io.isobench.runtime.Limits;
import io.isobench.runtime.RuntimeDriver;

import java.time.Duration;

/**
 * Everything one trial (one repetition of one benchmark case in one runtime) may use.
 *
 * @param instancePrefix unique prefix for sandbox names of this trial
 */
public record TrialContext(RuntimeDriver driver, WorkloadImage image, Limits limits, Params params,
                           Duration timeout, String instancePrefix) {
}
