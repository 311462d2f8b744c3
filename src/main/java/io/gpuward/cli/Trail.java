package io.gpuward.cli;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The newest state of one verdict's remediation: its latest audit record and the latest record of
 * each action. Fixed size whatever the number of records read, so {@code status} stays bounded.
 */
final class Trail {
  private RemediationRecord latest;
  private final Map<RemediationAction, RemediationRecord> byAction =
      new EnumMap<>(RemediationAction.class);

  void add(RemediationRecord r) {
    latest = r;
    byAction.put(r.getAction(), r);
  }

  RemediationRecord latest() {
    return latest;
  }

  Map<RemediationAction, RemediationRecord> byAction() {
    return Collections.unmodifiableMap(byAction);
  }
}
