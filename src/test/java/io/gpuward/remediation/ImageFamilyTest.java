package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Real {@code status.nodeInfo.osImage} strings, as kubelets on EKS and elsewhere report them. */
class ImageFamilyTest {

  @Test
  void shouldTellBottlerocketVariantsWithAndWithoutNvidia() {
    assertThat(ImageFamily.of("Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)"))
        .isEqualTo(ImageFamily.BOTTLEROCKET);
    assertThat(ImageFamily.of("Bottlerocket OS 1.19.4 (aws-k8s-1.27)"))
        .isEqualTo(ImageFamily.BOTTLEROCKET);
    assertThat(ImageFamily.of("Bottlerocket OS 1.66.0")).isEqualTo(ImageFamily.BOTTLEROCKET);
  }

  @Test
  void shouldTellAmazonLinux2023FromAmazonLinux2() {
    assertThat(ImageFamily.of("Amazon Linux 2023.9.20260714")).isEqualTo(ImageFamily.AL2023);
    assertThat(ImageFamily.of("Amazon Linux 2023")).isEqualTo(ImageFamily.AL2023);
    assertThat(ImageFamily.of("Amazon Linux 2")).isEqualTo(ImageFamily.AL2);
  }

  @Test
  void shouldTellUbuntuAndCallTheRestOther() {
    assertThat(ImageFamily.of("Ubuntu 22.04.4 LTS")).isEqualTo(ImageFamily.UBUNTU);
    assertThat(ImageFamily.of("Container-Optimized OS from Google")).isEqualTo(ImageFamily.OTHER);
    assertThat(ImageFamily.of("")).isEqualTo(ImageFamily.OTHER);
    assertThat(ImageFamily.of(null)).isEqualTo(ImageFamily.OTHER);
  }

  @Test
  void shouldFindEachFamilyByItsPolicyKey() {
    for (ImageFamily f : ImageFamily.values()) {
      assertThat(ImageFamily.byKey(f.key())).contains(f);
    }
    assertThat(ImageFamily.byKey("windows")).isEmpty();
  }
}
