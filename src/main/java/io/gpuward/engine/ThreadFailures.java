package io.gpuward.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What a stream thread's death means: a transaction the broker lost across its own restart (invalid
 * transaction state, producer epoch, sequence) or a retriable error is transient, and a new thread
 * with a new producer resumes from the last commit, exactly once; anything else, or more than
 * {@link #MAX_REPLACEMENTS} transient deaths in {@link #WINDOW}, stops the client so that the role
 * exits and its supervisor sees a crash loop instead of a silent one.
 */
final class ThreadFailures {
  static final int MAX_REPLACEMENTS = 5;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final Clock clock;
  private final Deque<Instant> recent = new ArrayDeque<>();

  ThreadFailures(Clock clock) {
    this.clock = clock;
  }

  /** The response to {@code e}; remembers transient deaths to bound replacements. */
  synchronized StreamThreadExceptionResponse respond(Throwable e) {
    if (!isTransient(e)) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    Instant now = clock.instant();
    while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
      recent.pollFirst();
    }
    if (recent.size() >= MAX_REPLACEMENTS) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    recent.addLast(now);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Whether a cause in {@code e}'s chain is one a new thread and producer get past. */
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InvalidTxnStateException
          || t instanceof InvalidProducerEpochException
          || t instanceof OutOfOrderSequenceException
          || t instanceof TransactionAbortedException
          || t instanceof RetriableException) {
        return true;
      }
    }
    return false;
  }
}
