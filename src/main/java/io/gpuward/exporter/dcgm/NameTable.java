package io.gpuward.exporter.dcgm;

import java.util.Map;

/**
 * A fixed set of names, each with an id, looked up by a range of a larger string without allocating
 * a substring (the parser looks up a metric name and a dozen label names per line). Open addressing
 * over {@link String#hashCode()}-compatible hashes. Immutable; thread-safe.
 */
final class NameTable {
  private final String[] keys;
  private final int[] ids;
  private final int mask;

  NameTable(Map<String, Integer> names) {
    int size = Integer.highestOneBit(Math.max(4, names.size() * 4) - 1) << 1;
    keys = new String[size];
    ids = new int[size];
    mask = size - 1;
    for (Map.Entry<String, Integer> e : names.entrySet()) {
      int i = spread(e.getKey().hashCode()) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = e.getKey();
      ids[i] = e.getValue();
    }
  }

  /** The id of {@code s[from, to)}, or -1 when it is not in the table. */
  int find(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    int len = to - from;
    for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
      String k = keys[i];
      if (k == null) {
        return -1;
      }
      if (k.length() == len && s.regionMatches(from, k, 0, len)) {
        return ids[i];
      }
    }
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
