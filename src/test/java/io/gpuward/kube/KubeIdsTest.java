package io.gpuward.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KubeIdsTest {

  @Test
  void shouldAcceptDns1123SubdomainNodeNamesOnly() {
    assertThat(KubeIds.isNodeName("ip-10-0-1-23.ec2.internal")).isTrue();
    assertThat(KubeIds.isNodeName("p5-train-2")).isTrue();
    assertThat(KubeIds.isNodeName("a")).isTrue();
    assertThat(KubeIds.isNodeName("a".repeat(63) + "." + "b".repeat(189))).isTrue();
    assertThat(KubeIds.isNodeName("a".repeat(254))).isFalse();
    assertThat(KubeIds.isNodeName("")).isFalse();
    assertThat(KubeIds.isNodeName(null)).isFalse();
    assertThat(KubeIds.isNodeName("Upper")).isFalse();
    assertThat(KubeIds.isNodeName("under_score")).isFalse();
    assertThat(KubeIds.isNodeName("-lead")).isFalse();
    assertThat(KubeIds.isNodeName("trail-")).isFalse();
    assertThat(KubeIds.isNodeName("a..b")).isFalse();
    assertThat(KubeIds.isNodeName("a,spec.nodeName=b")).isFalse();
    assertThat(KubeIds.isNodeName("../x")).isFalse();
  }

  @Test
  void shouldAcceptEc2InstanceIdsOnly() {
    assertThat(KubeIds.isInstanceId("i-0abc12345def67890")).isTrue();
    assertThat(KubeIds.isInstanceId("i-12345678")).isTrue();
    assertThat(KubeIds.isInstanceId("i-1234567")).isFalse();
    assertThat(KubeIds.isInstanceId("i-0ABC12345DEF67890")).isFalse();
    assertThat(KubeIds.isInstanceId("i-0abc12345def678901")).isFalse();
    assertThat(KubeIds.isInstanceId("i-0abc1234; rm")).isFalse();
    assertThat(KubeIds.isInstanceId(null)).isFalse();
  }

  @Test
  void shouldCheckOtherIdentifiers() {
    assertThat(KubeIds.isAmiId("ami-0123456789abcdef0")).isTrue();
    assertThat(KubeIds.isAmiId("ami-xyz")).isFalse();
    assertThat(KubeIds.isInstanceType("p5.48xlarge")).isTrue();
    assertThat(KubeIds.isInstanceType("p6-b200.48xlarge")).isTrue();
    assertThat(KubeIds.isInstanceType("m5")).isFalse();
    assertThat(KubeIds.isZone("us-east-1a")).isTrue();
    assertThat(KubeIds.isZone("us-gov-west-1b")).isTrue();
    assertThat(KubeIds.isZone("us-east-1-bos-1a")).isTrue();
    assertThat(KubeIds.isZone("us-east-1a\r\nX: y")).isFalse();
    assertThat(KubeIds.isAsgName("eks-p5-train-20260301")).isTrue();
    assertThat(KubeIds.isAsgName("bad\nname")).isFalse();
    assertThat(KubeIds.isAsgName("")).isFalse();
  }

  @Test
  void shouldParseAwsProviderIds() {
    assertThat(KubeIds.parseProviderId("aws:///us-east-1a/i-0abc12345def67890"))
        .contains(new KubeIds.ProviderId("i-0abc12345def67890", "us-east-1a"));
    assertThat(KubeIds.parseProviderId("aws:///i-0abc12345def67890"))
        .contains(new KubeIds.ProviderId("i-0abc12345def67890", null));
    assertThat(KubeIds.parseProviderId("aws:///us-east-1a/i-../../etc")).isEmpty();
    assertThat(KubeIds.parseProviderId("kind://docker/kind/kind-worker")).isEmpty();
    assertThat(KubeIds.parseProviderId(null)).isEmpty();
  }

  @Test
  void shouldNameTheBadValueWhenRequiringANodeName() {
    assertThatThrownBy(() -> KubeIds.requireNodeName("Bad\nName"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad?Name'");
    assertThat(KubeIds.requireNodeName("ok-node")).isEqualTo("ok-node");
  }
}
