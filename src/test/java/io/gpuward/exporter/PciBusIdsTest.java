package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PciBusIdsTest {

  @Test
  void shouldNormaliseKernelDcgmAndLspciFormsToTheDcgmForm() {
    assertThat(PciBusIds.normalise("0000:17:00")).contains("00000000:17:00.0");
    assertThat(PciBusIds.normalise("PCI:0000:b5:00")).contains("00000000:B5:00.0");
    assertThat(PciBusIds.normalise("00000000:53:00.0")).contains("00000000:53:00.0");
    assertThat(PciBusIds.normalise("0000:00:07.0")).contains("00000000:00:07.0");
    assertThat(PciBusIds.normalise("3b:00.0")).contains("00000000:3B:00.0");
    assertThat(PciBusIds.normalise(" 0001:00:00 ")).contains("00000001:00:00.0");
    assertThat(PciBusIds.normalise("10000:01:00")).contains("00010000:01:00.0");
    assertThat(PciBusIds.normalise("0000:3a:1f.7")).contains("00000000:3A:1F.7");
  }

  @Test
  void shouldRejectWhatIsNotAPciAddress() {
    assertThat(PciBusIds.normalise(null)).isEmpty();
    assertThat(PciBusIds.normalise("")).isEmpty();
    assertThat(PciBusIds.normalise("nvidia0")).isEmpty();
    assertThat(PciBusIds.normalise("0000:17")).isEmpty();
    assertThat(PciBusIds.normalise("0000:100:00")).isEmpty();
    assertThat(PciBusIds.normalise("0000:17:20")).isEmpty();
    assertThat(PciBusIds.normalise("0000:17:00.8")).isEmpty();
    assertThat(PciBusIds.normalise("0000:17:00.0.1")).isEmpty();
    assertThat(PciBusIds.normalise("1:2:3:4")).isEmpty();
    assertThat(PciBusIds.normalise("000000000:17:00.0")).isEmpty();
    assertThat(PciBusIds.normalise("zz:00.0")).isEmpty();
  }
}
