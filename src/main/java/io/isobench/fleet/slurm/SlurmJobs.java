package io.isobench.fleet.slurm;

import io.isobench.fleet.NodeJobState;
import io.isobench.fleet.NodeJobState.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the job lists isobench asks Slurm for: {@code squeue --states=all --format=%i|%T|%n|%N|%r} (jobs Slurm still
 * holds: pending, running, and finished ones for MinJobAge) and {@code sacct -n -P -X -o JobID,State,NodeList,ExitCode,Reason}
 * (the accounting history, when the cluster keeps one).
 */
final class SlurmJobs {
    static final String SQUEUE_FORMAT = "%i|%T|%n|%N|%r";
    static final String SACCT_FIELDS = "JobID,State,NodeList,ExitCode,Reason";

    /** Pending reasons that mean the job's node is down, failed or gone, not busy. */
    private static final java.util.regex.Pattern NODE_GONE = java.util.regex.Pattern.compile(
            "ReqNodeNotAvail|NodeDown|Nodes required for job are DOWN|BadConstraints|InvalidNodes");

    private SlurmJobs() {
    }

    /** squeue lines: job id, state, requested node list, allocated node list, reason. */
    static List<NodeJobState> parseSqueue(String out) {
        List<NodeJobState> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 5 || f[0].isEmpty()) {
                continue;
            }
            String node = !f[3].isBlank() ? f[3] : f[2];
            l.add(state(f[0], node, f[1], f[4], null));
        }
        return l;
    }

    /** sacct -P lines: job id, state ("CANCELLED by 0"), node list, exit code ("3:0"), reason. */
    static List<NodeJobState> parseSacct(String out) {
        List<NodeJobState> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 5 || f[0].isEmpty() || f[0].contains(".")) {
                continue; // steps (123.batch) belong to their job
            }
            l.add(state(f[0], f[2].equals("None assigned") ? "" : f[2], f[1].split(" ")[0], f[4], f[3]));
        }
        return l;
    }

    private static NodeJobState state(String id, String node, String slurmState, String reason, String exitCode) {
        String st = slurmState.toUpperCase(Locale.ROOT);
        Phase phase;
        phase = switch (st) {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD" -> Phase.PENDING;
            case "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING" -> Phase.RUNNING;
            case "COMPLETED" -> Phase.SUCCEEDED;
            default -> Phase.FAILED; // FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, OUT_OF_MEMORY
        };
        String why = null;
        boolean noReason = reason == null || reason.isBlank() || reason.equals("None");
        if (phase == Phase.FAILED) {
            why = "Slurm job " + id + " " + st + (noReason ? "" : " (" + reason + ")")
                    + (exitCode != null && !exitCode.isBlank() && !exitCode.equals("0:0") ? ", exit code " + exitCode : "");
        } else if (phase == Phase.PENDING && !noReason && NODE_GONE.matcher(reason).find()) {
            // the node failed or is down: Slurm requeued the job (or holds it) until the node returns, maybe never
            phase = Phase.FAILED;
            why = "Slurm job " + id + " waits for its node, which is unavailable (" + reason + ")";
        } else if (phase == Phase.PENDING && !noReason) {
            why = "waiting for " + reason;
        }
        return new NodeJobState(node, id, phase, why);
    }
}
