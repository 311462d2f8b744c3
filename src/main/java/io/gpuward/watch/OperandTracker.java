package io.gpuward.watch;

import io.fabric8.kubernetes.api.model.Pod;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.kube.OperandPods;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What GPU Operator operand pods run on each node, as OPERAND_STATUS node events, each only when
 * the operand's state on its node changed. Event ids are deterministic ({@code
 * <node>/OPERAND_STATUS/<operand>/<state>/<restarts>/<pod uid>}, or {@code .../Missing/<pod uid>}),
 * so a new leader that publishes the current state again repeats the ids of the old one, while a
 * new pod of the operand (restarts from 0 again) is a new fact the engine applies.
 */
final class OperandTracker {

  /** What was last published for one operand on one node. */
  private record Published(String key, String uid) {}

  private final Clock clock;
  private final Map<String, Map<String, Published>> byNode = new HashMap<>();

  OperandTracker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A pod added or changed: its operand's status when it is a new one. */
  Optional<NodeEvent> observe(Pod pod) {
    String node = nodeOf(pod);
    Optional<String> operand = OperandPods.operand(pod);
    if (node == null || operand.isEmpty()) {
      return Optional.empty();
    }
    OperandPods.Status st = OperandPods.status(pod);
    String key = st.state() + "/" + st.restarts();
    Map<String, Published> ops = byNode.computeIfAbsent(node, k -> new HashMap<>());
    Published last = ops.get(operand.get());
    if (last != null && last.key().equals(key) && Objects.equals(last.uid(), st.uid())) {
      return Optional.empty();
    }
    ops.put(operand.get(), new Published(key, st.uid()));
    return Optional.of(
        event(node, operand.get(), pod, st.state(), st.restarts() + "/" + st.uid())
            .setContainer(st.container())
            .setMessage(st.message())
            .build());
  }

  /** A pod deleted: its operand is Missing, unless another pod of it took its place already. */
  Optional<NodeEvent> removed(Pod pod) {
    String node = nodeOf(pod);
    Optional<String> operand = OperandPods.operand(pod);
    if (node == null || operand.isEmpty()) {
      return Optional.empty();
    }
    String uid = pod.getMetadata().getUid();
    Map<String, Published> ops = byNode.get(node);
    Published last = ops == null ? null : ops.get(operand.get());
    if (last == null || !Objects.equals(last.uid(), uid)) {
      return Optional.empty();
    }
    ops.put(operand.get(), new Published(OperandPods.MISSING, uid));
    return Optional.of(
        event(node, operand.get(), pod, OperandPods.MISSING, String.valueOf(uid))
            .setMessage("pod deleted")
            .build());
  }

  /** The node is gone: what ran on it is forgotten. */
  void forget(String node) {
    byNode.remove(node);
  }

  /** Nodes with an operand pod seen (tests). */
  List<String> nodes() {
    return List.copyOf(byNode.keySet());
  }

  private NodeEvent.Builder event(
      String node, String operand, Pod pod, String state, String discriminator) {
    NodeEventKind kind = NodeEventKind.OPERAND_STATUS;
    return NodeEvent.newBuilder()
        .setEventId(node + "/" + kind.name() + "/" + operand + "/" + state + "/" + discriminator)
        .setNode(node)
        .setKind(kind)
        .setEventTime(clock.instant().truncatedTo(ChronoUnit.MILLIS))
        .setSource(ClusterWatcher.SOURCE)
        .setReason(state)
        .setNamespace(pod.getMetadata().getNamespace())
        .setPod(pod.getMetadata().getName());
  }

  private static String nodeOf(Pod pod) {
    return pod == null || pod.getSpec() == null || pod.getMetadata() == null
        ? null
        : pod.getSpec().getNodeName();
  }
}
