package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The remediator's last line of classification, for a failure an actuator did not classify itself:
 * walks the cause chain from the outermost exception inwards, and the first link that decides wins.
 *
 * <ul>
 *   <li>an {@link ActuatorException}: its own kind;
 *   <li>connection refused, unknown host, no route: TRANSIENT (the request never left);
 *   <li>a timeout or interruption after sending: AMBIGUOUS for a step that changes the node;
 *   <li>anything else: AMBIGUOUS for a step that changes the node (it may have happened, so it is
 *       never retried blindly), PERMANENT for one that does not (ESCALATE, NOTIFY).
 * </ul>
 */
public final class StepFailures {
  private StepFailures() {}

  public static ActuatorException.Kind classify(Throwable t, RemediationAction action) {
    boolean mutating = Actions.mutating(action);
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = t; c != null && seen.put(c, true) == null; c = c.getCause()) {
      if (c instanceof ActuatorException a) {
        return a.kind();
      }
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException) {
        return ActuatorException.Kind.TRANSIENT;
      }
      if (c instanceof InterruptedIOException || c instanceof InterruptedException) {
        return mutating ? ActuatorException.Kind.AMBIGUOUS : ActuatorException.Kind.TRANSIENT;
      }
    }
    return mutating ? ActuatorException.Kind.AMBIGUOUS : ActuatorException.Kind.PERMANENT;
  }

  /** {@code t} as an {@link ActuatorException} of its classified kind. */
  public static ActuatorException wrap(RuntimeException t, RemediationAction action) {
    if (t instanceof ActuatorException a) {
      return a;
    }
    return new ActuatorException(classify(t, action), action + " failed unclassified: " + t, t);
  }
}
