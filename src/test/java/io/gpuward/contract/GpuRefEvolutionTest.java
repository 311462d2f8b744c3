package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.avro.FaultVerdict;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * GpuRef gained {@code pods} (per-GPU drain): verdicts written before it still read, their GPUs'
 * pods empty (unknown), as the registry's BACKWARD rule demands.
 */
class GpuRefEvolutionTest {

  @Test
  void shouldReadVerdictsWrittenBeforeGpuPodsExistedWithPodsUnknown() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode now = json.readTree(FaultVerdict.getClassSchema().toString());
    removePods(now);
    Schema previous = new Schema.Parser().parse(now.toString());

    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(FaultVerdict.getClassSchema(), previous);

    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    Schema gpuRef = FaultVerdict.getClassSchema().getField("gpus").schema().getElementType();
    assertThat(gpuRef.getField("pods").defaultVal()).asList().isEmpty();
  }

  /** Removes the {@code pods} field of the GpuRef record wherever the schema defines it. */
  private static void removePods(JsonNode n) {
    if (n instanceof ObjectNode o
        && "GpuRef".equals(o.path("name").asText())
        && o.get("fields") instanceof ArrayNode fields) {
      for (int i = fields.size() - 1; i >= 0; i--) {
        if ("pods".equals(fields.get(i).path("name").asText())) {
          fields.remove(i);
        }
      }
    }
    n.forEach(GpuRefEvolutionTest::removePods);
  }
}
