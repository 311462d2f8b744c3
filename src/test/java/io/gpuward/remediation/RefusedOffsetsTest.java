package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefusedOffsetsTest {

  @Test
  void shouldMergeAdjacentOffsetsIntoRanges() {
    RefusedOffsets r = new RefusedOffsets();
    for (long o : new long[] {5, 3, 4, 9, 0, 1, 2, 7}) {
      r.add(o);
    }
    assertThat(r.encode()).isEqualTo("refused:0-5,7,9");
  }

  @Test
  void shouldReadBackWhatItWrote() {
    RefusedOffsets r = RefusedOffsets.parse("refused:0-31,33-55,70");
    assertThat(r.contains(0)).isTrue();
    assertThat(r.contains(31)).isTrue();
    assertThat(r.contains(32)).isFalse();
    assertThat(r.contains(55)).isTrue();
    assertThat(r.contains(56)).isFalse();
    assertThat(r.contains(70)).isTrue();
    assertThat(r.encode()).isEqualTo("refused:0-31,33-55,70");
  }

  @Test
  void shouldTrustNoneOfMetadataItDidNotWrite() {
    for (String other :
        new String[] {null, "", "someone else's", "refused:x", "refused:5-3", "refused:4,2"}) {
      RefusedOffsets r = RefusedOffsets.parse(other);
      assertThat(r.contains(2)).as(String.valueOf(other)).isFalse();
      assertThat(r.encode()).isEqualTo("refused:");
    }
  }

  @Test
  void shouldKeepTheNewestRangesWhenTheyDoNotAllFit() {
    RefusedOffsets r = new RefusedOffsets();
    for (long o = 0; o < 4_000; o += 2) {
      r.add(o);
    }
    String encoded = r.encode();
    assertThat(encoded.length()).isLessThanOrEqualTo(RefusedOffsets.MAX_CHARS);
    RefusedOffsets back = RefusedOffsets.parse(encoded);
    assertThat(back.contains(3_998)).isTrue();
    assertThat(back.contains(0)).isFalse();
    assertThat(r.contains(0)).as("forgotten in memory too").isFalse();
    assertThat(r.encode()).isEqualTo(encoded);
  }
}
