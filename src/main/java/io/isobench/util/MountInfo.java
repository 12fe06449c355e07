package io.isobench.util;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fields of /proc/self/mountinfo lines. */
public final class MountInfo {
    private static final Pattern OCTAL = Pattern.compile("\\\\([0-7]{3})");

    private MountInfo() {
    }

    /** A field with mountinfo's octal escapes decoded ({@code \040} for a space). */
    public static String unescape(String s) {
        Matcher m = OCTAL.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        }
        m.appendTail(b);
        return b.toString();
    }
}
