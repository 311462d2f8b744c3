package io.gpuward.remediation.port;

import java.util.Objects;

/**
 * What the cloud's own history says of a command gpuward sent (a GPU reset or diagnostics through
 * SSM), found by the operation's idempotency token. After a crash between the intent and the
 * outcome of a GPU reset, this is how the remediator tells whether the reset ran.
 *
 * @param state what the history shows
 * @param detail the command id and status as the cloud reports them, for the audit record
 */
public record CommandTrace(State state, String detail) {

  /** What the history shows for the command. */
  public enum State {
    /** No such command was sent: it is safe to send it now. */
    NOT_SENT,
    /** Sent and not finished yet. */
    IN_PROGRESS,
    /** Sent and finished successfully. */
    SUCCEEDED,
    /** Sent and finished without success (failed, timed out, cancelled). */
    FAILED,
    /** The history cannot be read (not supported, or the lookup failed). */
    UNKNOWN
  }

  public CommandTrace {
    Objects.requireNonNull(state, "state");
    detail = detail == null ? "" : detail;
  }

  public static CommandTrace unknown(String why) {
    return new CommandTrace(State.UNKNOWN, why);
  }
}
