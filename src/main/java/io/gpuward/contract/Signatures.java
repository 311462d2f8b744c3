package io.gpuward.contract;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultVerdict;

/**
 * A verdict's fault signature: its class plus what makes two faults "the same" — the XID code, the
 * container error pattern, or else the rule. Nodes sharing a signature in one scope are candidates
 * for a common cause.
 */
public final class Signatures {
  private Signatures() {}

  public static String of(FaultVerdict v) {
    String detail = v.getRuleId();
    if (!v.getEvidence().isEmpty()) {
      Evidence first = v.getEvidence().get(0);
      String s = first.getSignal();
      if (s.startsWith("xid=") || s.startsWith("container_start_failure:")) {
        detail = s;
      }
    }
    return v.getFaultClass() + ":" + detail;
  }
}
