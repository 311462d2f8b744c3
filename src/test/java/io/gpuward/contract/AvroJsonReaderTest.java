package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.testing.SampleRecords;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroJsonReaderTest {

  @Test
  void shouldReadBackWhatAvroJsonWrote() {
    assertThat(roundTrip(SampleRecords.faultVerdict(), FaultVerdict.class))
        .isEqualTo(SampleRecords.faultVerdict());
    assertThat(roundTrip(SampleRecords.remediationRecord(), RemediationRecord.class))
        .isEqualTo(SampleRecords.remediationRecord());
    assertThat(roundTrip(SampleRecords.nodeInventory(), NodeInventory.class))
        .isEqualTo(SampleRecords.nodeInventory());
    assertThat(roundTrip(SampleRecords.controlCommand(), ControlCommand.class))
        .isEqualTo(SampleRecords.controlCommand());
  }

  @Test
  void shouldNameTheFieldARequiredValueIsMissingFrom() throws Exception {
    var json = AvroJson.toJson(SampleRecords.faultVerdict());
    json.remove("node");
    assertThatThrownBy(() -> AvroJsonReader.read(json, FaultVerdict.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FaultVerdict.node");
  }

  private static <T extends SpecificRecord> T roundTrip(T record, Class<T> type) {
    try {
      ObjectMapper m = new ObjectMapper();
      String line = m.writeValueAsString(AvroJson.toJson(record));
      return AvroJsonReader.read(m.readTree(line), type);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
