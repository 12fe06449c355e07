package io.isobench.proc;

/** Receives a process's stdout lines with the host monotonic time ({@link System#nanoTime()}) they were read at. */
@FunctionalInterface
public interface LineSink {
    void line(String line, long nanoTime);
}
