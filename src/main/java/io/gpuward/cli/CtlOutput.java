package io.gpuward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.avro.ControlCommand;
import io.gpuward.config.Durations;
import java.time.Duration;
import java.util.List;

/** What {@code gpuward ctl} prints per command, as a line or as JSON, and its exit code. Pure. */
final class CtlOutput {
  static final int APPLIED = 0;
  static final int REFUSED = 3;
  static final int NOT_APPLIED_YET = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private CtlOutput() {}

  /** Refused beats not-yet-applied beats applied: the exit says the worst that happened. */
  static int exitCode(List<ControlSender.Outcome> outcomes, boolean waited) {
    if (outcomes.stream().anyMatch(o -> o instanceof ControlSender.Refused)) {
      return REFUSED;
    }
    if (waited && outcomes.stream().anyMatch(o -> o instanceof ControlSender.Pending)) {
      return NOT_APPLIED_YET;
    }
    return APPLIED;
  }

  static String line(
      ControlSender.Outcome o, ControlRequests.Operator operator, Duration wait, boolean waited) {
    ControlCommand c = o.command();
    String what =
        c.getKind()
            + " "
            + c.getScope()
            + " by "
            + operator.name()
            + " ("
            + operator.source()
            + ")"
            + (c.getExpiresAt() == null ? "" : " until " + c.getExpiresAt());
    String where =
        o.sent().topic() + " partition " + o.sent().partition() + " offset " + o.sent().offset();
    String tail = "; command " + c.getCommandId();
    if (o instanceof ControlSender.Applied a) {
      return "applied: "
          + what
          + "; audited by the remediator at "
          + a.audit().getAt()
          + (a.audit().getDryRun() ? " (remediator in dry run)" : "")
          + tail;
    }
    if (o instanceof ControlSender.Refused r) {
      return "refused: " + what + "; the remediator dead-lettered it: " + r.reason() + tail;
    }
    if (!waited) {
      return "sent: " + what + " to " + where + " (not waiting for the remediator)" + tail;
    }
    return "not applied yet: "
        + what
        + " is on "
        + where
        + " but no remediator audited it within "
        + Durations.format(wait)
        + tail;
  }

  static String json(ControlSender.Outcome o, ControlRequests.Operator operator, boolean waited) {
    ControlCommand c = o.command();
    ObjectNode n = JSON.createObjectNode();
    n.put("status", status(o, waited));
    n.put("commandId", c.getCommandId());
    n.put("kind", c.getKind().name());
    n.put("scope", c.getScope());
    n.put("operator", operator.name());
    n.put("operatorSource", operator.source());
    n.put("reason", c.getReason());
    n.put("issuedAt", c.getIssuedAt().toString());
    n.put("expiresAt", c.getExpiresAt() == null ? null : c.getExpiresAt().toString());
    n.put("topic", o.sent().topic());
    n.put("partition", o.sent().partition());
    n.put("offset", o.sent().offset());
    if (o instanceof ControlSender.Applied a) {
      n.put("auditedAt", a.audit().getAt().toString());
      n.put("dryRun", a.audit().getDryRun());
    } else if (o instanceof ControlSender.Refused r) {
      n.put("refusal", r.reason());
    }
    return n.toString();
  }

  private static String status(ControlSender.Outcome o, boolean waited) {
    if (o instanceof ControlSender.Applied) {
      return "applied";
    }
    if (o instanceof ControlSender.Refused) {
      return "refused";
    }
    return waited ? "not_applied_yet" : "sent";
  }
}
