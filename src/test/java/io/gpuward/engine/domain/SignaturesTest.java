package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.contract.Signatures;
import io.gpuward.engine.EngineFixtures;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignaturesTest {

  @Test
  void shouldSignAnXidVerdictByItsCodeSoNodesWithTheSameXidMatch() {
    assertThat(Signatures.of(Verdicts.xid("p5-train-1", 79))).isEqualTo("GPU_LOST:xid=79");
    assertThat(Signatures.of(Verdicts.xid("p5-train-2", 79)))
        .isEqualTo(Signatures.of(Verdicts.xid("p5-train-1", 79)));
    assertThat(Signatures.of(Verdicts.xid("p5-train-2", 119))).isEqualTo("GPU_XID_FATAL:xid=119");
  }

  @Test
  void shouldSignAContainerStartFailureByItsPattern() {
    assertThat(Signatures.of(Verdicts.driverRoot("g5-infer-0")))
        .isEqualTo("DRIVER_ROOT_MISCONFIGURED:container_start_failure:libnvidia-ml-not-found");
  }

  @Test
  void shouldSignAnyOtherVerdictByItsRule() {
    assertThat(Signatures.of(Verdicts.imageMismatch("cache-warm-0")))
        .isEqualTo("IMAGE_INSTANCE_MISMATCH:" + ImageInstanceRule.RULE_ID);
    assertThat(Signatures.of(Verdicts.dcgmLost("p5-train-1")))
        .isEqualTo("TELEMETRY_STALE:" + AcceleratedHardwareRule.RULE_PREFIX + "DCGMError");
  }

  @Test
  void shouldKeepTheSignatureOfWhatOpenedTheVerdictAsEvidenceIsAdded() {
    GpuWindow w = new GpuWindow();
    w.add(DomainFixtures.hopper(Verdicts.GPU, 0, T0).build(), false, false);
    String gone = "GPU-a54c1f2e-7b3d-4e8a-9f10-000000000002";
    var missing =
        new GpuPresenceRule()
            .evaluate("p5-train-1", T0.minusSeconds(30), T0, w, Set.of(Verdicts.GPU, gone), 0);
    FaultVerdict opened = Verdicts.open((Signal.Detected) missing.get(0));
    var xid =
        new XidRule(Verdicts.RULES.xid())
            .evaluate(EngineFixtures.xid("p5-train-1", 79, gone, T0.plusSeconds(5)), Evidences.NONE)
            .orElseThrow();
    FaultVerdict updated =
        new VerdictDecider(Verdicts.RULES)
            .onDetected(Optional.of(opened), xid, NodeContext.UNKNOWN)
            .keep()
            .orElseThrow();
    assertThat(updated.getEvidence()).hasSize(2);
    assertThat(Signatures.of(updated))
        .isEqualTo(Signatures.of(opened))
        .isEqualTo("GPU_LOST:" + GpuPresenceRule.MISSING);
  }

  @Test
  void shouldSignAVerdictWithoutEvidenceByItsRule() {
    FaultVerdict bare =
        FaultVerdict.newBuilder(Verdicts.xid("p5-train-1", 79)).setEvidence(List.of()).build();
    assertThat(Signatures.of(bare)).isEqualTo("GPU_LOST:xid.code.79");
  }
}
