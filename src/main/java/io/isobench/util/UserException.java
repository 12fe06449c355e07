package io.isobench.util;

/** A mistake of the user's (bad flag, bad plan file, unknown runtime...): one line on stderr, exit code 2. */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
