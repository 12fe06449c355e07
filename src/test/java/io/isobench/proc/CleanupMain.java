package io.isobench.proc;

/** A process for {@link CleanupExitTest}: registers teardowns as the mode says, then exits or waits for a signal. */
public final class CleanupMain {
    private CleanupMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "late" -> {
                Cleanup.register("first", () -> {
                    sleep(200);
                    Cleanup.register("registered during shutdown", () -> System.out.println("late teardown ran"));
                });
                System.exit(0);
            }
            case "running" -> {
                Cleanup.Action a = Cleanup.register("marked by main", () -> {
                    sleep(1000);
                    System.out.println("main's teardown finished");
                });
                Thread.ofPlatform().start(a::close); // another thread is inside it when the hook starts
                sleep(200);
                System.exit(0);
            }
            case "deadline" -> {
                Cleanup.register("slow thing", () -> sleep(60_000));
                System.exit(0);
            }
            case "second" -> {
                Cleanup.register("slow sandbox", () -> {
                    System.out.println("in teardown");
                    sleep(60_000);
                });
                System.out.println("ready");
                sleep(60_000);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
