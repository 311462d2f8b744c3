package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import org.junit.jupiter.api.Test;

class XidPolicyTest {
  private final XidPolicy policy = RuleCatalog.load().xid();

  @Test
  void shouldClassifyXid79AsGpuLostWithReboot() {
    var c = policy.classify(79).orElseThrow();
    assertThat(c.faultClass()).isEqualTo(FaultClass.GPU_LOST);
    assertThat(c.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(c.ruleId()).isEqualTo("xid.code.79");
  }

  @Test
  void shouldClassifyCatalogResetGpuXidsAsFatal() {
    var c = policy.classify(119).orElseThrow(); // GSP RPC timeout
    assertThat(c.faultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(c.action()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(c.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(c.ruleId()).isEqualTo("xid.catalog.RESET_GPU");
  }

  @Test
  void shouldEscalateRatherThanReplaceOnXidsUnusedOnCurrentGpus() {
    var c = policy.classify(1).orElseThrow();
    assertThat(c.faultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(c.action()).isEqualTo(RemediationAction.ESCALATE);
  }

  @Test
  void shouldTreatApplicationXidsAsAppXidWithNoAction() {
    for (int code : new int[] {13, 31, 43, 45}) {
      var c = policy.classify(code).orElseThrow();
      assertThat(c.faultClass()).as("xid %d", code).isEqualTo(FaultClass.APP_XID);
      assertThat(c.action()).isEqualTo(RemediationAction.NONE);
    }
  }

  @Test
  void shouldRaiseNothingForInformationalXids() {
    assertThat(policy.classify(63)).isEmpty(); // row remapping event: WARNING / NONE
  }

  @Test
  void shouldEscalateAnXidTheCatalogDoesNotKnow() {
    var c = policy.classify(9999).orElseThrow();
    assertThat(c.action()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(c.ruleId()).isEqualTo("xid.unknown");
  }
}
