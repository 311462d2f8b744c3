package io.gpuward.exporter;

import java.util.Optional;

/**
 * PCI bus ids in the one form gpuward joins on: DCGM's {@code 00000000:53:00.0} (8-digit domain,
 * 2-digit bus, 2-digit device, 1-digit function, upper-case hex as NVML prints them).
 *
 * <p>The kernel writes the same GPU as {@code 0000:53:00} (4-digit domain, no function) in NVRM
 * lines, lspci as {@code 53:00.0}; VMD domains can be {@code 10000}. All of them normalise to the
 * DCGM form, so an XID line joins the GPU's telemetry by string equality.
 */
public final class PciBusIds {
  private PciBusIds() {}

  /**
   * The DCGM form of {@code text}: {@code [domain:]bus:device[.function]}, hex, any case, an
   * optional {@code PCI:} prefix and surrounding blanks; a missing domain or function is 0.
   *
   * @return empty when it is not a PCI address (bus > ff, device > 1f, function > 7, or not hex)
   */
  public static Optional<String> normalise(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(normalise(text, 0, text.length()));
  }

  /** {@link #normalise(String)} on {@code text[from, to)}; null when it is not a PCI address. */
  public static String normalise(CharSequence text, int from, int to) {
    while (from < to && Character.isWhitespace(text.charAt(from))) {
      from++;
    }
    while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
      to--;
    }
    if (to - from >= 4 && regionEqualsIgnoreCase(text, from, "PCI:")) {
      from += 4;
    }
    // Split at ':' (1 or 2 of them) and at most one '.'.
    int c1 = -1;
    int c2 = -1;
    int dot = -1;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == ':') {
        if (dot >= 0 || c2 >= 0) {
          return null;
        }
        if (c1 < 0) {
          c1 = i;
        } else {
          c2 = i;
        }
      } else if (c == '.') {
        if (dot >= 0) {
          return null;
        }
        dot = i;
      } else if (Character.digit(c, 16) < 0) {
        return null;
      }
    }
    if (c1 < 0) {
      return null;
    }
    long domain;
    long bus;
    long device;
    int end = dot >= 0 ? dot : to;
    if (c2 >= 0) {
      domain = hex(text, from, c1, 8);
      bus = hex(text, c1 + 1, c2, 2);
      device = hex(text, c2 + 1, end, 2);
    } else {
      domain = 0;
      bus = hex(text, from, c1, 2);
      device = hex(text, c1 + 1, end, 2);
    }
    long function = dot >= 0 ? hex(text, dot + 1, to, 1) : 0;
    if (domain < 0 || bus < 0 || bus > 0xff || device < 0 || device > 0x1f || function < 0) {
      return null;
    }
    if (function > 7) {
      return null;
    }
    char[] out = new char[16];
    put(out, 0, domain, 8);
    out[8] = ':';
    put(out, 9, bus, 2);
    out[11] = ':';
    put(out, 12, device, 2);
    out[14] = '.';
    put(out, 15, function, 1);
    return new String(out);
  }

  private static boolean regionEqualsIgnoreCase(CharSequence s, int from, String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toUpperCase(s.charAt(from + i)) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Hex value of {@code s[from, to)} with 1 to {@code maxDigits} digits; -1 otherwise. */
  private static long hex(CharSequence s, int from, int to, int maxDigits) {
    if (to <= from || to - from > maxDigits) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static void put(char[] out, int at, long v, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
  }
}
