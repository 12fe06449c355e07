package io.isobench.fleet;

/** The engine failed (API unreachable, sbatch refused): one line for the user, the cause for --debug. */
public class FleetException extends Exception {
    public FleetException(String message) {
        super(message);
    }

    public FleetException(String message, Throwable cause) {
        super(message, cause);
    }
}
