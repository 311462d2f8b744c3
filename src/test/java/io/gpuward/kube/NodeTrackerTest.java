package io.gpuward.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeTrackerTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final NodeTracker tracker =
      new NodeTracker("g6-batch-2", Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC), "watcher");

  private static Node node(boolean unschedulable) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("g6-batch-2")
        .withUid("uid-1")
        .withResourceVersion("7")
        .withCreationTimestamp(T0.toString())
        .endMetadata()
        .withNewSpec()
        .withUnschedulable(unschedulable)
        .endSpec()
        .build();
  }

  private static Event removing() {
    return new EventBuilder()
        .withNewMetadata()
        .withUid("ev-1")
        .withName("g6-batch-2.1")
        .endMetadata()
        .withNewInvolvedObject()
        .withKind("Node")
        .withName("g6-batch-2")
        .endInvolvedObject()
        .withReason("RemovingNode")
        .withMessage("Node g6-batch-2 event: Removing Node g6-batch-2 from Controller")
        .withCount(1)
        .withLastTimestamp(T0.plusSeconds(41).toString())
        .build();
  }

  @Test
  void anEventAboutTheNodeRelayedAfterItsDeletionDoesNotClaimItIsRegistered() {
    tracker.observe(node(false));
    assertThat(tracker.unschedulable()).isFalse();

    List<NodeEvent> gone = tracker.removed(node(false));
    assertThat(gone)
        .singleElement()
        .extracting(NodeEvent::getKind)
        .isEqualTo(NodeEventKind.NODE_REMOVED);
    assertThat(tracker.registered()).isFalse();

    // the engine reads a non-null unschedulable flag as "this node is registered"
    assertThat(tracker.nodeEvent(removing()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo(NodeEventKind.KUBE_EVENT);
              assertThat(e.getUnschedulable()).isNull();
            });
  }
}
