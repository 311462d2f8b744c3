package io.gpuward.contract;

import java.util.Locale;

/** How a topic's log is kept: a stream of events, or a compacted table of latest values. */
public enum TopicKind {
  STREAM,
  COMPACTED;

  static TopicKind parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "stream" -> STREAM;
      case "compacted" -> COMPACTED;
      default ->
          throw new IllegalArgumentException(
              "kind must be 'stream' or 'compacted', was '" + value + "'");
    };
  }
}
