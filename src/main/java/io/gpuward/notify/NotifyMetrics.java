package io.gpuward.notify;

import java.util.Map;

/** Meter names of the notifier. */
public final class NotifyMetrics {
  /** Events the webhook accepted, by type. */
  public static final String DELIVERED = "gpuward.notify.delivered";

  /** Attempts that failed and will be tried again. */
  public static final String RETRIES = "gpuward.notify.retries";

  /** Events the webhook refused for good (a 4xx), by type: logged with the answer and skipped. */
  public static final String REJECTED = "gpuward.notify.rejected";

  /** Events not sent again because this notifier delivered them already. */
  public static final String REPEATS = "gpuward.notify.repeats";

  /** Help text ({@code # HELP}) of these meters, by name. */
  public static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(DELIVERED, "Pages the webhook accepted, by event type."),
          Map.entry(RETRIES, "Webhook attempts that failed and are tried again, by event type."),
          Map.entry(
              REJECTED,
              "Pages the webhook refused for good, or records that could not be read, by type."),
          Map.entry(REPEATS, "Pages not sent again because they were delivered already."));

  private NotifyMetrics() {}
}
