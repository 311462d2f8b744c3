package io.gpuward.contract;

import java.time.Duration;

/**
 * No Kafka broker answered at the configured bootstrap servers in time. The message is one readable
 * line naming the address, the time waited and the cause, fit for a CLI error.
 */
public class BrokerUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String bootstrapServers;

  public BrokerUnreachableException(String bootstrapServers, Duration timeout, Throwable cause) {
    super(
        "cannot reach Kafka at "
            + bootstrapServers
            + " within "
            + human(timeout)
            + ": "
            + describe(cause),
        cause);
    this.bootstrapServers = bootstrapServers;
  }

  /** The bootstrap servers that did not answer. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  // Kafka's TimeoutException and java.util.concurrent's both mean "no answer"; they share a name.
  @SuppressWarnings("checkstyle:inlineQualifiedName")
  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no answer";
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    String text = root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    if (root instanceof org.apache.kafka.common.errors.TimeoutException
        || root instanceof java.util.concurrent.TimeoutException) {
      text = "no broker answered (" + text + ")";
    }
    return text.replaceAll("\\s+", " ").trim();
  }
}
