package io.gpuward.remediation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The remediator's one transactional producer and its group commit: audit records, dead letters and
 * the consumed offsets of the verdict and state readers go out in Kafka transactions.
 *
 * <p>Transactions are numbered: records go into the one numbered {@code txNumber}. While one thread
 * commits transaction n outside the lock, records of other lanes wait in {@code pending} for
 * transaction n + 1, and commit requests ride on it: lanes share commits instead of queueing one
 * commitTransaction each behind the lock.
 */
final class AuditTransactions {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String stateGroupId;
  private final Function<TopicPartition, String> stateMetadata;
  private final OffsetTracker verdictOffsets = new OffsetTracker();
  private final OffsetTracker stateOffsets = new OffsetTracker();
  private final Object txLock = new Object();

  // All guarded by txLock.
  private final Map<TopicPartition, TreeMap<Long, ProducerRecord<byte[], byte[]>>> heldDeadLetters =
      new HashMap<>();
  private final List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private boolean inTransaction;
  private long txNumber = 1;
  private long committedTx;
  private boolean committing;
  private RuntimeException commitFailure;

  // The transaction that holds the calling lane's last record (its intent).
  private final ThreadLocal<Long> appendedTo = new ThreadLocal<>();
  private volatile boolean halted;
  private volatile ConsumerGroupMetadata groupMetadata;

  /**
   * @param stateMetadata the metadata committed with a state partition's offset (what was refused)
   */
  AuditTransactions(
      KafkaProducer<byte[], byte[]> producer,
      String stateGroupId,
      Function<TopicPartition, String> stateMetadata) {
    this.producer = producer;
    this.stateGroupId = stateGroupId;
    this.stateMetadata = stateMetadata;
  }

  KafkaProducer<byte[], byte[]> producer() {
    return producer;
  }

  OffsetTracker verdictOffsets() {
    return verdictOffsets;
  }

  OffsetTracker stateOffsets() {
    return stateOffsets;
  }

  /** The verdict consumer's group generation, which its offsets are committed under. */
  void groupMetadata(ConsumerGroupMetadata m) {
    groupMetadata = m;
  }

  /** Fences an earlier instance and aborts its open transaction. */
  void initTransactions() {
    producer.initTransactions();
  }

  /** Adds a record to the open transaction. */
  void send(ProducerRecord<byte[], byte[]> record) {
    synchronized (txLock) {
      if (halted) {
        throw new IllegalStateException("remediator halted");
      }
      if (commitFailure != null) {
        throw new IllegalStateException("audit transaction failed earlier", commitFailure);
      }
      if (committing) {
        pending.add(record); // sent first thing in the next transaction, in order
      } else {
        begin();
        producer.send(record);
      }
      appendedTo.set(txNumber);
    }
  }

  /**
   * Holds the dead letter of a verdict record until the transaction that commits an offset past it.
   * Verdicts finish out of order on their lanes, so the committed offset can stay below a refused
   * record for a while; a dead letter committed earlier than its offset would be written again by
   * the next instance after a crash.
   */
  void holdDeadLetter(TopicPartition tp, long offset, ProducerRecord<byte[], byte[]> record) {
    synchronized (txLock) {
      heldDeadLetters.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, record);
    }
  }

  /** Partitions taken away: what was handled is committed, the rest the next owner reads again. */
  void revoked(Collection<TopicPartition> parts) {
    commit();
    verdictOffsets.revoked(parts);
    synchronized (txLock) {
      parts.forEach(heldDeadLetters::remove);
    }
  }

  /** Takes the held dead letters below the offsets about to be committed. Under txLock. */
  private List<ProducerRecord<byte[], byte[]>> releaseDeadLetters(
      Map<TopicPartition, OffsetAndMetadata> next) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    next.forEach(
        (tp, offset) -> {
          TreeMap<Long, ProducerRecord<byte[], byte[]>> held = heldDeadLetters.get(tp);
          if (held != null) {
            Map<Long, ProducerRecord<byte[], byte[]>> below = held.headMap(offset.offset());
            out.addAll(below.values());
            below.clear();
          }
        });
    return out;
  }

  private void begin() {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
  }

  /**
   * Makes the calling lane's last record (its intent) durable; false when the remediator was halted
   * before it was.
   */
  boolean commitIntent() {
    Long tx = appendedTo.get();
    return commitThrough(tx == null ? currentTx() : tx);
  }

  /**
   * Makes durable everything appended before the call: the audit records written so far and the
   * offsets of the records handled completely.
   */
  boolean commit() {
    return commitThrough(currentTx());
  }

  private long currentTx() {
    synchronized (txLock) {
      return txNumber;
    }
  }

  /** What one commit carries: its number and the offsets it commits. */
  private record Batch(
      long tx,
      Map<TopicPartition, OffsetAndMetadata> verdicts,
      Map<TopicPartition, OffsetAndMetadata> state) {}

  /**
   * Returns once transaction {@code tx} (and every one before it) committed: true, or false when
   * the remediator was halted before it did; throws when that commit failed. A lane about to act
   * asks for the transaction holding its intent: it acts exactly when its intent is durable, also
   * when a commit under way finishes after a halt (like a crash right after that commit).
   *
   * <p>Group commit: one caller at a time runs {@code commitTransaction} outside the lock; callers
   * arriving meanwhile wait for it and then share one next transaction for all of them.
   */
  private boolean commitThrough(long tx) {
    Batch batch;
    synchronized (txLock) {
      Boolean done = awaitTurn(tx);
      if (done != null) {
        return done;
      }
      batch = new Batch(0, verdictOffsets.committable(), stateOffsets.committable());
      if (!inTransaction && batch.verdicts().isEmpty() && batch.state().isEmpty()) {
        return true; // nothing was appended or handled since the last commit
      }
      begin();
      releaseDeadLetters(batch.verdicts()).forEach(producer::send);
      committing = true;
      batch = new Batch(txNumber++, batch.verdicts(), batch.state());
    }
    RuntimeException failure = send(batch);
    finish(batch, failure);
    if (failure != null) {
      throw failure;
    }
    return true;
  }

  /**
   * Under txLock: waits while another caller commits. The answer when {@code tx} needs no commit of
   * this caller (true: committed; false: halted), or null when this caller commits now.
   */
  private Boolean awaitTurn(long tx) {
    while (true) {
      if (commitFailure != null) {
        throw commitFailure; // e.g. fenced by a newer instance: nothing more is committed
      }
      if (committedTx >= tx) {
        return true;
      }
      if (halted) {
        return false;
      }
      if (!committing) {
        return null;
      }
      try {
        txLock.wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while committing the audit transaction");
      }
    }
  }

  /** The offsets into the open transaction, and its commit; the failure, if any. */
  private RuntimeException send(Batch batch) {
    try {
      if (!batch.verdicts().isEmpty()) {
        producer.sendOffsetsToTransaction(batch.verdicts(), groupMetadata);
      }
      if (!batch.state().isEmpty()) {
        // The state reader is in no group generation: its offsets go to a group of their own.
        producer.sendOffsetsToTransaction(
            withMetadata(batch.state()), new ConsumerGroupMetadata(stateGroupId));
      }
      producer.commitTransaction();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private void finish(Batch batch, RuntimeException failure) {
    synchronized (txLock) {
      committing = false;
      if (failure == null) {
        committedTx = batch.tx();
        inTransaction = false;
        verdictOffsets.committedAll(batch.verdicts());
        stateOffsets.committedAll(batch.state());
        if (!pending.isEmpty() && !halted) {
          begin();
          pending.forEach(producer::send);
        }
      } else {
        commitFailure = failure;
      }
      pending.clear();
      txLock.notifyAll();
    }
  }

  /** State offsets carrying, as metadata, the offsets refused in their partitions so far. */
  private Map<TopicPartition, OffsetAndMetadata> withMetadata(
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    offsets.forEach(
        (tp, o) -> out.put(tp, new OffsetAndMetadata(o.offset(), stateMetadata.apply(tp))));
    return out;
  }

  /**
   * Stops dead, like a killed process: nothing more is written or committed, the open transaction
   * is left for the broker to abort. Lanes waiting for a group commit give up at once.
   */
  void halt() {
    synchronized (txLock) {
      halted = true;
      txLock.notifyAll();
    }
  }

  boolean halted() {
    return halted;
  }

  void close(Duration timeout) {
    producer.close(timeout);
  }
}
