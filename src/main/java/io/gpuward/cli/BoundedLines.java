package io.gpuward.cli;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a text stream with bounded memory: a line longer than {@code maxChars} is skipped as it
 * is read, never held, and counted, so that one 300 MB line or a binary file without newlines
 * cannot exhaust the heap. A trailing {@code \r} is dropped.
 */
final class BoundedLines {
  private final Reader in;
  private final int maxChars;
  private final char[] buf = new char[8192];
  private int pos;
  private int len;
  private long lineNo;
  private long tooLong;
  private long firstTooLong;

  BoundedLines(Reader in, int maxChars) {
    this.in = in;
    this.maxChars = maxChars;
  }

  /** The next line of at most {@code maxChars}, or null at the end. */
  String next() throws IOException {
    StringBuilder line = new StringBuilder();
    boolean skipping = false;
    while (true) {
      if (pos == len && !fill()) {
        return end(line, skipping);
      }
      char c = buf[pos++];
      if (c == '\n') {
        lineNo++;
        if (!skipping) {
          return stripCr(line);
        }
        skipping = false;
        line.setLength(0);
        continue;
      }
      if (skipping) {
        continue;
      }
      if (line.length() == maxChars) {
        skipping = true;
        countTooLong();
        line.setLength(0);
        continue;
      }
      line.append(c);
    }
  }

  private String end(StringBuilder line, boolean skipping) {
    if (skipping || line.isEmpty()) {
      if (skipping) {
        lineNo++;
      }
      return null;
    }
    lineNo++;
    return stripCr(line);
  }

  private void countTooLong() {
    tooLong++;
    if (firstTooLong == 0) {
      firstTooLong = lineNo + 1;
    }
  }

  private boolean fill() throws IOException {
    len = in.read(buf, 0, buf.length);
    pos = 0;
    if (len <= 0) {
      len = 0;
      return false;
    }
    return true;
  }

  private static String stripCr(StringBuilder line) {
    int n = line.length();
    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
  }

  /** Lines read so far, skipped ones included. */
  long lines() {
    return lineNo;
  }

  /** Lines skipped for being longer than the limit. */
  long tooLong() {
    return tooLong;
  }

  /**
   * One line for the summary, e.g. {@code 1 line over 65536 characters skipped (first: line 3)}, or
   * empty when none was.
   */
  String skippedSummary() {
    if (tooLong == 0) {
      return "";
    }
    return tooLong
        + (tooLong == 1 ? " line" : " lines")
        + " over "
        + maxChars
        + " characters skipped (first: line "
        + firstTooLong
        + ")";
  }
}
