package io.isobench.util;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/** The one JSON mapper of the tool (stable key order, pretty output for users). */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    public static String write(Object o) {
        return MAPPER.writeValueAsString(o);
    }

    public static String pretty(Object o) {
        return PRETTY.writeValueAsString(o);
    }

    public static Map<String, Object> readMap(String s) {
        if (s == null) {
            return Map.of();
        }
        return MAPPER.readValue(s, new TypeReference<Map<String, Object>>() { });
    }

    /** A JSON array of strings; null reads as empty. */
    public static java.util.List<String> readStrings(String s) {
        if (s == null) {
            return java.util.List.of();
        }
        return MAPPER.readValue(s, new TypeReference<java.util.List<String>>() { });
    }
}
