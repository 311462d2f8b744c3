package io.gpuward.kube;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Kubernetes timestamps (RFC 3339, seconds or microseconds) to {@link Instant}. */
public final class KubeTimes {
  private KubeTimes() {}

  /** The instant, or null when {@code s} is null, blank or not an RFC 3339 time. */
  public static Instant parse(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /** The first of {@code candidates} that parses, or null. */
  public static Instant first(String... candidates) {
    for (String c : candidates) {
      Instant t = parse(c);
      if (t != null) {
        return t;
      }
    }
    return null;
  }
}
