package io.gpuward.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.NodeInventory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeInventoriesTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static CloudScheduledEvent maintenance(Instant notAfter) {
    return CloudScheduledEvent.newBuilder()
        .setEventId("instance-event-1")
        .setCode("system-maintenance")
        .setDescription("Scheduled maintenance")
        .setNotBefore(T0.plusSeconds(3600))
        .setNotAfter(notAfter)
        .setState("active")
        .build();
  }

  private static NodeInventory inventory(Instant updatedAt, CloudScheduledEvent... events) {
    return NodeInventory.newBuilder()
        .setNode("p5-cell0-47")
        .setNodegroup("p5-cell0")
        .setUpdatedAt(updatedAt)
        .setLabels(Map.of())
        .setScheduledEvents(List.of(events))
        .build();
  }

  /**
   * A watcher poll compared two inventories listing an event with an end time and failed every
   * second ("Unknown datum type java.time.Instant"): no inventory was published while it lasted.
   */
  @Test
  void shouldCompareInventoriesListingScheduledEventsWithAnEndTime() {
    NodeInventory a = inventory(T0, maintenance(T0.plusSeconds(7200)));
    assertThat(
            NodeInventories.sameExceptTime(
                a, inventory(T0.plusSeconds(60), maintenance(T0.plusSeconds(7200)))))
        .isTrue();
    assertThat(NodeInventories.sameExceptTime(a, inventory(T0, maintenance(T0.plusSeconds(9000)))))
        .isFalse();
    assertThat(NodeInventories.sameExceptTime(a, inventory(T0, maintenance(null)))).isFalse();
    assertThat(NodeInventories.sameExceptTime(a, inventory(T0))).isFalse();
    NodeInventory notAsked =
        NodeInventory.newBuilder(inventory(T0)).setScheduledEvents(null).build();
    assertThat(NodeInventories.sameExceptTime(notAsked, notAsked)).isTrue();
    assertThat(NodeInventories.sameExceptTime(notAsked, inventory(T0))).isFalse();
  }
}
