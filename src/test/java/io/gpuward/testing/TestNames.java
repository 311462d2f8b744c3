package io.gpuward.testing;

import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Names no other test (in this JVM or another against the same broker) will use. */
public final class TestNames {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private TestNames() {}

  /** {@code prefix-<n>-<random>}: valid as a topic, group, application id or subject. */
  public static String unique(String prefix) {
    String clean = prefix.replaceAll("[^A-Za-z0-9._-]", "-");
    String random = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    return clean + "-" + COUNTER.incrementAndGet() + "-" + random;
  }
}
