package io.isobench.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads back a log file a workload or runtime wrote, never more than a bound: a flood cannot exhaust the heap. */
public final class LogTail {
    /** The most of a log file read back. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;

    private LogTail() {
    }

    /** The file's last {@link #MAX_BYTES}, after a line saying how much was cut when it is larger. */
    public static String read(Path file, Charset cs) throws IOException {
        return read(file, cs, MAX_BYTES);
    }

    static String read(Path file, Charset cs, int max) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long from = Math.max(0, size - max);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, max));
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // read on
            }
            String text = new String(b.array(), 0, b.position(), cs);
            return from == 0 ? text : "[isobench: log over " + (max >> 20) + " MiB; its first " + from + " bytes are cut]\n" + text;
        }
    }
}
