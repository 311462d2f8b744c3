package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Barriers a verdict passes one after the other: each is first asked only once the one before it
 * passed for that verdict, so each takes its targets after the work the one before waited for was
 * done. Once all passed, the next step starts again from the first.
 */
final class OrderedBarriers implements ReadBarrier {
  private final List<ReadBarrier> stages;
  private final Map<String, Integer> passed = new ConcurrentHashMap<>();

  OrderedBarriers(List<ReadBarrier> stages) {
    this.stages = List.copyOf(stages);
  }

  @Override
  public boolean readThrough(FaultVerdict v) {
    int next = passed.getOrDefault(v.getVerdictId(), 0);
    while (next < stages.size() && stages.get(next).readThrough(v)) {
      next++;
    }
    if (next == stages.size()) {
      passed.remove(v.getVerdictId());
      return true;
    }
    passed.put(v.getVerdictId(), next);
    return false;
  }

  @Override
  public void forget(String verdictId) {
    passed.remove(verdictId);
    stages.forEach(b -> b.forget(verdictId));
  }
}
