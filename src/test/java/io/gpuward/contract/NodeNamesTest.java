package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NodeNamesTest {
  /** Kubernetes' own definition of a DNS-1123 subdomain (apimachinery validation). */
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final char[] ALPHABET = {'a', 'z', '0', '9', '-', '.', 'A', '_', ' ', '/'};

  @Test
  void shouldAgreeWithTheDns1123RegexOnEveryShortString() {
    int checked = 0;
    for (int len = 0; len <= 5; len++) {
      int combos = (int) Math.pow(ALPHABET.length, len);
      for (int n = 0; n < combos; n++) {
        String s = word(n, len);
        assertThat(NodeNames.isValid(s))
            .as("'%s'", s)
            .isEqualTo(DNS_1123_SUBDOMAIN.matcher(s).matches());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(111_111);
  }

  @Test
  void shouldAcceptRealNodeNamesAndRefuseOthers() {
    assertThat(NodeNames.isValid("ip-10-0-12-34.ec2.internal")).isTrue();
    assertThat(NodeNames.isValid("p5-train-0")).isTrue();
    assertThat(NodeNames.isValid("a".repeat(NodeNames.MAX_LENGTH))).isTrue();
    assertThat(NodeNames.isValid("a".repeat(NodeNames.MAX_LENGTH + 1))).isFalse();
    assertThat(NodeNames.isValid(null)).isFalse();
    assertThat(NodeNames.isValid("Node-1")).isFalse();
    assertThat(NodeNames.isValid("x'; DROP TABLE verdicts;--")).isFalse();
  }

  private static String word(int n, int len) {
    char[] out = new char[len];
    for (int i = 0; i < len; i++) {
      out[i] = ALPHABET[n % ALPHABET.length];
      n /= ALPHABET.length;
    }
    return new String(out);
  }
}
