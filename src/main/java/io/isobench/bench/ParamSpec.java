package io.isobench.bench;

import io.isobench.util.UserException;
import io.isobench.util.Units;

import java.util.Arrays;
import java.util.List;

/**
 * A benchmark parameter: name, default and type. Values arrive as strings (plan file or {@code --set
 * bench.key=value}) and are validated here so a typo is one clear error before anything runs.
 */
public record ParamSpec(String name, String defaultValue, Type type, String description, List<String> choices,
                        long min, long max) {

    public enum Type { INT, DURATION, SIZE, STRING, LIST, SIZE_LIST, INT_LIST, DURATION_LIST }

    /** An INT is 0..Integer.MAX_VALUE and an INT_LIST item 1..Integer.MAX_VALUE unless {@link #range} narrows it. */
    public static ParamSpec of(String name, String dflt, Type type, String description) {
        return new ParamSpec(name, dflt, type, description, List.of(), type == Type.INT_LIST ? 1 : 0, Integer.MAX_VALUE);
    }

    public static ParamSpec choice(String name, String dflt, boolean list, String description, String... choices) {
        return new ParamSpec(name, dflt, list ? Type.LIST : Type.STRING, description, List.of(choices), 0, Integer.MAX_VALUE);
    }

    /** The same parameter with whole numbers bounded to [min, max] (INT and INT_LIST). */
    public ParamSpec range(long min, long max) {
        return new ParamSpec(name, defaultValue, type, description, choices, min, max);
    }

    /** Returns the normalized value or throws a {@link UserException} naming benchmark, parameter and value. */
    public String validate(String benchmark, String value) {
        String where = benchmark + "." + name;
        String v = value.strip();
        switch (type) {
            case INT -> {
                return Long.toString(Units.parseWhole(v, where, min, max));
            }
            case DURATION -> Units.parseDuration(v, where);
            case SIZE -> Units.parseSize(v, where);
            case STRING -> checkChoice(where, v);
            case LIST, SIZE_LIST, INT_LIST, DURATION_LIST -> {
                List<String> items = new java.util.ArrayList<>(Arrays.stream(v.split(",", -1)).map(String::strip).toList());
                if (items.isEmpty() || items.stream().anyMatch(String::isEmpty)) {
                    throw new UserException(where + ": empty item in list '" + value + "'");
                }
                for (int k = 0; k < items.size(); k++) {
                    String i = items.get(k);
                    if (type == Type.SIZE_LIST) {
                        Units.parseSize(i, where);
                    } else if (type == Type.DURATION_LIST) {
                        Units.parseDuration(i, where);
                    } else if (type == Type.INT_LIST) {
                        items.set(k, Long.toString(Units.parseWhole(i, where, min, max)));
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
