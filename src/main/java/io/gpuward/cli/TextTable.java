package io.gpuward.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A table for people: a header, aligned columns, over-long cells cut with an ellipsis. */
final class TextTable {
  static final int MAX_CELL = 70;
  static final String ABSENT = "-";

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... header) {
    this.header = List.of(header);
  }

  TextTable row(Object... cells) {
    rows.add(Arrays.stream(cells).map(TextTable::cell).toList());
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table indented by two spaces, or " none" when it has no rows. */
  String render() {
    if (rows.isEmpty()) {
      return "  none\n";
    }
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, header, width);
    rows.forEach(r -> line(b, r, width));
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] width) {
    StringBuilder l = new StringBuilder(" ");
    for (int i = 0; i < cells.size(); i++) {
      l.append(' ').append(cells.get(i));
      if (i < cells.size() - 1) {
        l.append(" ".repeat(width[i] - cells.get(i).length() + 1));
      }
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }

  static String cell(Object o) {
    if (o == null) {
      return ABSENT;
    }
    String s = o instanceof Instant t ? time(t) : o.toString();
    s = s.replace('\n', ' ');
    return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
  }

  /** Seconds are enough for people; --json keeps the milliseconds. */
  static String time(Instant t) {
    return t == null ? ABSENT : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
