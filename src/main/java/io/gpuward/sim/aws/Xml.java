package io.gpuward.sim.aws;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The little XML the Query protocols need: escaped text elements. */
final class Xml {

  private Xml() {}

  /** {@code <name>text</name>}, or nothing when {@code text} is null. */
  static String el(String name, Object text) {
    if (text == null) {
      return "";
    }
    return "<" + name + ">" + escape(String.valueOf(text)) + "</" + name + ">";
  }

  /** {@code <name>} around markup that is already XML. */
  static String wrap(String name, CharSequence inner) {
    return "<" + name + ">" + inner + "</" + name + ">";
  }

  /** An ISO-8601 timestamp with milliseconds, as EC2 and Auto Scaling write them. */
  static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? '?' : c);
      }
    }
    return b.toString();
  }
}
