package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The default format locale becomes en_US only where numbers already format as in en_US. */
class MainLocaleTest {
  private Locale before;

  @BeforeEach
  void remember() {
    before = Locale.getDefault(Locale.Category.FORMAT);
  }

  @AfterEach
  void restore() {
    Locale.setDefault(Locale.Category.FORMAT, before);
  }

  @Test
  void shouldUseUsFormatsUnderEnglishAndRootLocales() {
    for (Locale l : new Locale[] {Locale.ENGLISH, Locale.UK, Locale.ROOT}) {
      Locale.setDefault(Locale.Category.FORMAT, l);
      Main.useUsFormatLocale();
      assertThat(Locale.getDefault(Locale.Category.FORMAT)).isEqualTo(Locale.US);
      assertThat(String.format("%,d %.1f", 1234567, 2.5)).isEqualTo("1,234,567 2.5");
    }
  }

  @Test
  void shouldLeaveOtherLocalesAlone() {
    Locale.setDefault(Locale.Category.FORMAT, Locale.GERMANY);
    Main.useUsFormatLocale();
    assertThat(Locale.getDefault(Locale.Category.FORMAT)).isEqualTo(Locale.GERMANY);
  }
}
