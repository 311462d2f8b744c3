package io.gpuward.remediation.aws;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Predicate;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CommandFilterKey;

/**
 * SSM's command history of one instance ({@code ListCommands}), where a command gpuward sent is
 * found again by the operation id in its comment: SSM has no client token for SendCommand, so this
 * is how a restart tells whether a command went out. SSM keeps the history for 30 days.
 */
final class SsmHistory {

  /** Pages read at most (50 commands each) before the search gives up. */
  private static final int MAX_PAGES = 20;

  private SsmHistory() {}

  /**
   * The newest command on {@code instanceId} invoked at or after {@code since} (minus a minute for
   * clock skew) that {@code ours} accepts.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException when the history cannot be read
   */
  static Optional<Command> find(
      SsmClient ssm, String instanceId, Instant since, Predicate<Command> ours) {
    String after = after(since);
    String next = null;
    int pages = 0;
    do {
      String page = next;
      var resp =
          ssm.listCommands(
              b ->
                  b.instanceId(instanceId)
                      .maxResults(50)
                      .nextToken(page)
                      .filters(f -> f.key(CommandFilterKey.INVOKED_AFTER).value(after)));
      for (Command c : resp.commands()) {
        if (ours.test(c)) {
          return Optional.of(c);
        }
      }
      next = resp.nextToken();
      pages++;
    } while (next != null && !next.isEmpty() && pages < MAX_PAGES);
    return Optional.empty();
  }

  /** The {@code InvokedAfter} filter's value for {@code since}. */
  static String after(Instant since) {
    return since.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Whether the command's comment carries the operation's marker ({@code op=<token>}). */
  static boolean carries(Command c, String token) {
    return c.comment() != null && c.comment().contains("op=" + token);
  }
}
