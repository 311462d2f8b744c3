package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Deterministic operation ids: the same (node, fault session, action, attempt) → the same id. */
public final class OperationIds {
  private OperationIds() {}

  public static String of(String node, String faultSession, RemediationAction action, int attempt) {
    String seed = node + '\u0000' + faultSession + '\u0000' + action + '\u0000' + attempt;
    return "op-" + UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
  }
}
