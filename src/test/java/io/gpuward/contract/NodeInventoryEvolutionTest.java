package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.NodeInventory;
import java.io.InputStream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * NodeInventory gained {@code ssmPingStatus} (the watcher's SSM evidence) and {@code
 * scheduledEvents} (the cloud's scheduled events): consumers on the new schema still read every
 * record written before them, as the registry's BACKWARD rule demands.
 */
class NodeInventoryEvolutionTest {

  @Test
  void shouldReadInventoryWrittenBeforeSsmPingStatusExisted() throws Exception {
    Schema previous;
    try (InputStream in =
        getClass().getResourceAsStream("/schemas/previous/NodeInventory.v1.avsc")) {
      previous = new Schema.Parser().parse(in);
    }

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(
            NodeInventory.getClassSchema(), previous);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(NodeInventory.getClassSchema().getField("ssmPingStatus").defaultVal())
        .isEqualTo(JsonProperties.NULL_VALUE);
  }

  @Test
  void shouldReadInventoryWrittenBeforeScheduledEventsExistedAsNotAsked() throws Exception {
    Schema previous;
    try (InputStream in =
        getClass().getResourceAsStream("/schemas/previous/NodeInventory.v2.avsc")) {
      previous = new Schema.Parser().parse(in);
    }

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(
            NodeInventory.getClassSchema(), previous);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(NodeInventory.getClassSchema().getField("scheduledEvents").defaultVal())
        .isEqualTo(JsonProperties.NULL_VALUE);
  }
}
