package io.isobench.bench;

import io.isobench.util.Units;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Resolved parameter values of one benchmark case (sorted by name, so equal params compare equal). */
public record Params(Map<String, String> values) {
    public Params {
        values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return v;
    }

    public long getLong(String name) {
        return Long.parseLong(get(name));
    }

    public Duration getDuration(String name) {
        return Units.parseDuration(get(name), name);
    }

    public List<String> getList(String name) {
        return Arrays.stream(get(name).split(",")).map(String::strip).toList();
    }

    /** A copy with one parameter replaced (how a list parameter becomes one case per item). */
    public Params with(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Params(m);
    }

    /** Parameters as a reader sees them: {@code name=value}, space-separated, in the map's order. */
    public static String display(Map<String, ?> values) {
        StringBuilder s = new StringBuilder();
        values.forEach((k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return s.toString();
    }

    public Params without(String name) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.remove(name);
        return new Params(m);
    }
}
