package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NeverRegisteredRuleTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final String NODE = "ip-10-0-1-17.ec2.internal";

  private final NeverRegisteredRule rule = new NeverRegisteredRule(GRACE);

  private static NodeState unregistered(String ssm) {
    NodeState s = new NodeState();
    s.inventoryRegistered = false;
    s.launchedAt = T0.toEpochMilli();
    s.instanceType = "m5.large";
    s.image = "bottlerocket-aws-k8s-1.32-nvidia-x86_64-v1.30.0";
    s.amiId = "ami-0abc1234def567890";
    s.ssmPingStatus = ssm;
    return s;
  }

  @Test
  void shouldCarryTheSsmStatusImageAndAmiInTheVerdict() {
    NodeState s = unregistered("NotRegistered");
    assertThat(rule.evaluate(NODE, s, T0.plus(GRACE).minusSeconds(1))).isEmpty();
    Signal.Detected d = rule.evaluate(NODE, s, T0.plus(GRACE)).orElseThrow();
    assertThat(d.faultClass()).isEqualTo(FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(d.summary())
        .contains("never registered")
        .contains("SSM NotRegistered")
        .contains("bottlerocket-aws-k8s-1.32-nvidia");
    assertThat(d.evidence().getDetail())
        .contains("SSM NotRegistered")
        .contains("ami-0abc1234def567890")
        .contains("m5.large");
    assertThat(d.fixHint()).contains("Neither kubelet nor the SSM agent");
    assertThat(rule.evaluate(NODE, s, T0.plus(GRACE).plusSeconds(10))).as("once").isEmpty();
  }

  @Test
  void shouldPointAtTheBootstrapWhenTheSsmAgentIsOnline() {
    Signal.Detected d = rule.evaluate(NODE, unregistered("Online"), T0.plus(GRACE)).orElseThrow();
    assertThat(d.summary()).contains("SSM Online");
    assertThat(d.fixHint()).contains("bootstrap");
  }

  @Test
  void shouldSayWhenSsmWasNotAsked() {
    Signal.Detected d = rule.evaluate(NODE, unregistered(null), T0.plus(GRACE)).orElseThrow();
    assertThat(d.evidence().getDetail()).contains("SSM not asked");
  }

  @Test
  void shouldRaiseNothingAfterTheInstanceLeftTheInventory() {
    NodeState s = unregistered("NotRegistered");
    Signal.Recovered r = NeverRegisteredRule.onRemoved(NODE, s, T0.plusSeconds(300));
    assertThat(r.classes()).contains(FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(r.eventTime()).isEqualTo(T0.plusSeconds(300));
    assertThat(rule.evaluate(NODE, s, T0.plus(GRACE).plusSeconds(60))).isEmpty();
  }

  @Test
  void shouldClearAnOpenOneWhenTheInstanceLeavesTheInventory() {
    NodeState s = unregistered("NotRegistered");
    assertThat(rule.evaluate(NODE, s, T0.plus(GRACE))).isPresent();
    Signal.Recovered r = NeverRegisteredRule.onRemoved(NODE, s, T0.plus(GRACE).plusSeconds(30));
    assertThat(r.classes()).contains(FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(s.raised).isEmpty();
  }
}
