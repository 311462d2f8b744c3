package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.RemediationRecord;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * FaultClass gained SCHEDULED_MAINTENANCE at its end: every record that carries a fault class and
 * was written before it is read by the new schema (BACKWARD, the registry's rule). The enum has no
 * default on purpose: an old remediator must not read a class it does not know as one it would act
 * on, so consumers upgrade first, as BACKWARD compatibility means.
 */
class FaultClassEvolutionTest {

  @Test
  void shouldReadVerdictsWrittenBeforeScheduledMaintenanceExisted() throws Exception {
    assertCompatible(FaultVerdict.getClassSchema(), "FaultVerdict");
  }

  @Test
  void shouldReadIncidentsWrittenBeforeScheduledMaintenanceExisted() throws Exception {
    assertCompatible(FleetIncident.getClassSchema(), "FleetIncident");
  }

  @Test
  void shouldReadAuditRecordsWrittenBeforeScheduledMaintenanceExisted() throws Exception {
    assertCompatible(RemediationRecord.getClassSchema(), "RemediationRecord");
  }

  @Test
  void shouldAppendTheNewClassAndKeepTheEnumWithoutADefault() {
    Schema fc = FaultClass.getClassSchema();

    assertThat(fc.getEnumSymbols()).last().isEqualTo("SCHEDULED_MAINTENANCE");
    assertThat(fc.getEnumSymbols()).startsWith("GPU_XID_FATAL", "GPU_LOST");
    assertThat(fc.getEnumDefault()).isNull();
  }

  private void assertCompatible(Schema reader, String record) throws Exception {
    Schema previous;
    try (InputStream in =
        getClass().getResourceAsStream("/schemas/previous/" + record + ".v1.avsc")) {
      previous = new Schema.Parser().parse(in);
    }
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, previous);
    assertThat(result.getType())
        .as(result.getDescription())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }
}
