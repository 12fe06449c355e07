package io.isobench.bench;

import io.isobench.util.UserException;
import io.isobench.util.Units;

import java.util.Arrays;
import java.util.List;

/**
 * A benchmark parameter: name, default and type. Values arrive as strings (plan file or {@code --set
 * bench.key=value}) and are validated here so a typo is one clear error before anything runs.
 */
public record ParamSpec(String name, String defaultValue, Type type, String description, List<String> choices) {

    public enum Type { INT, DURATION, SIZE, STRING, LIST, SIZE_LIST, INT_LIST, DURATION_LIST }

    public static ParamSpec of(String name, String dflt, Type type, String description) {
        return new ParamSpec(name, dflt, type, description, List.of());
    }

    public static ParamSpec choice(String name, String dflt, boolean list, String description, String... choices) {
        return new ParamSpec(name, dflt, list ? Type.LIST : Type.STRING, description, List.of(choices));
    }

    /** Returns the normalized value or throws a {@link UserException} naming benchmark, parameter and value. */
    public String validate(String benchmark, String value) {
        String where = benchmark + "." + name;
        String v = value.strip();
        switch (type) {
            case INT -> {
                try {
                    long n = Long.parseLong(v);
                    if (n < 0) {
                        throw new UserException(where + ": must not be negative, got '" + value + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new UserException(where + ": not a whole number: '" + value + "'");
                }
            }
            case DURATION -> Units.parseDuration(v, where);
            case SIZE -> Units.parseSize(v, where);
            case STRING -> checkChoice(where, v);
            case LIST, SIZE_LIST, INT_LIST, DURATION_LIST -> {
                List<String> items = Arrays.stream(v.split(",")).map(String::strip).toList();
                if (items.isEmpty() || items.stream().anyMatch(String::isEmpty)) {
                    throw new UserException(where + ": empty item in list '" + value + "'");
                }
                for (String i : items) {
                    if (type == Type.SIZE_LIST) {
                        Units.parseSize(i, where);
                    } else if (type == Type.DURATION_LIST) {
                        Units.parseDuration(i, where);
                    } else if (type == Type.INT_LIST) {
                        try {
                            if (Long.parseLong(i) < 1) {
                                throw new UserException(where + ": must be at least 1, got '" + i + "'");
                            }
                        } catch (NumberFormatException e) {
                            throw new UserException(where + ": not a whole number: '" + i + "'");
                        }
                    } else {
                        checkChoice(where, i);
                    }
                }
                return String.join(",", items);
            }
        }
        return v;
    }

    private void checkChoice(String where, String v) {
        if (!choices.isEmpty() && !choices.contains(v)) {
            throw new UserException(where + ": '" + v + "' is not one of " + String.join(", ", choices));
        }
    }
}
