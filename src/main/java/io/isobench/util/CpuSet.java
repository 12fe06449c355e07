package io.isobench.util;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A set of CPU numbers in the kernel's list format ({@code 0-3,8,10-11}, as in {@code Cpus_allowed_list},
 * {@code cpuset.cpus}, {@code taskset -c}, {@code docker --cpuset-cpus}). {@link #toString()} is the canonical form.
 */
public record CpuSet(List<Integer> cpus) {
    public static final int MAX_CPU = 8191;

    public CpuSet {
        cpus = List.copyOf(new TreeSet<>(cpus));
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("an empty CPU set");
        }
    }

    /** Parses the list format; a malformed list is a {@link UserException} naming {@code where}. */
    public static CpuSet parse(String text, String where) {
        String t = text.strip();
        List<Integer> l = new ArrayList<>();
        if (t.isEmpty()) {
            throw new UserException(where + ": no CPUs given");
        }
        for (String part : t.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            try {
                int lo = (int) Units.parseWhole(dash < 0 ? p : p.substring(0, dash), where, 0, MAX_CPU);
                int hi = dash < 0 ? lo : (int) Units.parseWhole(p.substring(dash + 1), where, 0, MAX_CPU);
                if (hi < lo) {
                    throw new UserException(where + ": range '" + p + "' runs backwards");
                }
                for (int c = lo; c <= hi; c++) {
                    l.add(c);
                }
            } catch (UserException e) {
                if (p.isEmpty()) {
                    throw new UserException(where + ": empty item in CPU list '" + text + "'");
                }
                throw e.getMessage().contains("runs backwards") ? e
                        : new UserException(where + ": '" + text + "' is not a CPU list such as 0-1 or 0,2");
            }
        }
        return new CpuSet(l);
    }

    public int size() {
        return cpus.size();
    }

    public boolean containsAll(CpuSet o) {
        return cpus.containsAll(o.cpus);
    }

    /** Canonical list format: ascending, runs of two or more as ranges ({@code 0-1,3}). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < cpus.size()) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
                j++;
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(cpus.get(i));
            if (j > i) {
                sb.append('-').append(cpus.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
