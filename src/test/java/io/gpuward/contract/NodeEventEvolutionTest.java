package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * NodeEventKind gained OPERAND_STATUS and a default, then SCHEDULED_EVENT with its window fields:
 * consumers on the new schema read every record written before each, and a reader on the new schema
 * meets an unknown future symbol as its default instead of failing.
 */
class NodeEventEvolutionTest {

  @Test
  void shouldReadNodeEventsWrittenBeforeOperandStatusExisted() throws Exception {
    Schema previous = previous("/schemas/previous/NodeEvent.v1.avsc");

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(NodeEvent.getClassSchema(), previous);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void shouldReadNodeEventsWrittenBeforeScheduledEventsExisted() throws Exception {
    Schema previous = previous("/schemas/previous/NodeEvent.v2.avsc");

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(NodeEvent.getClassSchema(), previous);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void shouldLetAReaderOfTheOlderSchemaReadAScheduledEventAsAKubeEvent() throws Exception {
    Schema previous = previous("/schemas/previous/NodeEvent.v2.avsc");

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(previous, NodeEvent.getClassSchema());

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void shouldGiveTheKindADefaultSoLaterSymbolsDoNotBreakReaders() {
    Schema kind = NodeEventKind.getClassSchema();

    assertThat(kind.getEnumDefault()).isEqualTo("KUBE_EVENT");
    assertThat(kind.getEnumSymbols()).contains("OPERAND_STATUS");
    assertThat(kind.getEnumSymbols()).last().isEqualTo("SCHEDULED_EVENT");
  }

  private Schema previous(String resource) throws Exception {
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    }
  }
}
