package io.gpuward.remediation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The offsets of one partition's records that the remediator refused (and dead-lettered), as
 * ranges, carried in the metadata of the state group's committed offset. A restart skips them
 * instead of decoding them again: garbage with unknown schema ids costs a registry round trip each
 * (and compaction keeps the newest one per key), which made every restart seconds slower. Bounded:
 * when the ranges do not fit {@link #MAX_CHARS}, the oldest are left out, and a record left out is
 * only decoded again and refused silently, as before. Metadata that does not parse counts as no
 * ranges. Thread-safe.
 */
final class RefusedOffsets {
  /** Half of Kafka's offset.metadata.max.bytes default (4096): a commit never fails on it. */
  static final int MAX_CHARS = 2_048;

  private static final String PREFIX = "refused:";

  /** Start offset to end offset (inclusive) of each range; ranges neither touch nor overlap. */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  /** The ranges in {@code metadata} as {@link #encode()} wrote them; none for anything else. */
  static RefusedOffsets parse(String metadata) {
    RefusedOffsets out = new RefusedOffsets();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return out;
    }
    String body = metadata.substring(PREFIX.length());
    try {
      long last = -2;
      for (String range : body.isEmpty() ? new String[0] : body.split(",")) {
        int dash = range.indexOf('-', 1);
        long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
        long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
        if (from <= last + 1 || to < from) {
          return new RefusedOffsets(); // not what encode() writes: trust none of it
        }
        out.ranges.put(from, to);
        last = to;
      }
    } catch (NumberFormatException e) {
      return new RefusedOffsets(); // someone else's metadata: decode everything, as without it
    }
    return out;
  }

  synchronized void add(long offset) {
    Map.Entry<Long, Long> below = ranges.floorEntry(offset);
    if (below != null && below.getValue() >= offset) {
      return;
    }
    long from = offset;
    long to = offset;
    if (below != null && below.getValue() == offset - 1) {
      from = below.getKey();
    }
    Long nextTo = ranges.remove(offset + 1);
    if (nextTo != null) {
      to = nextTo;
    }
    ranges.put(from, to);
  }

  synchronized boolean contains(long offset) {
    Map.Entry<Long, Long> e = ranges.floorEntry(offset);
    return e != null && e.getValue() >= offset;
  }

  /**
   * The ranges as commit metadata, the newest kept when they do not all fit. The older ones are
   * forgotten here too, which bounds the memory of a remediator that runs for months.
   */
  synchronized String encode() {
    List<String> kept = new ArrayList<>();
    int length = PREFIX.length();
    for (Map.Entry<Long, Long> e : ranges.descendingMap().entrySet()) {
      String range =
          e.getKey().equals(e.getValue()) ? e.getKey().toString() : e.getKey() + "-" + e.getValue();
      if (length + range.length() + 1 > MAX_CHARS) {
        ranges.headMap(e.getKey(), true).clear();
        break;
      }
      kept.add(0, range);
      length += range.length() + 1;
    }
    return PREFIX + String.join(",", kept);
  }
}
