package io.gpuward.remediation;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator service's meters ({@link RemediationMetrics} names): lag, observe-only, polls,
 * budget in use, and the Kafka clients' own metrics through Micrometer's binder.
 */
final class RemediatorMeters {
  private static final Logger log = LoggerFactory.getLogger(RemediatorMeters.class);

  private final MeterRegistry meters;
  private final Remediation remediation;
  private final AtomicLong lag = new AtomicLong();
  private final AtomicLong polls = new AtomicLong();
  private final MultiGauge budgetInUse;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final List<Meter> own = new ArrayList<>();

  RemediatorMeters(MeterRegistry meters, Remediation remediation) {
    this.meters = meters;
    this.remediation = remediation;
    // registered once; lag(n) sets it
    own.add(Gauge.builder(RemediationMetrics.LAG, lag, AtomicLong::get).register(meters));
    own.add(
        Gauge.builder(RemediationMetrics.OBSERVE_ONLY, remediation, x -> x.isObserveOnly() ? 1 : 0)
            .register(meters));
    own.add(
        FunctionCounter.builder(RemediationMetrics.POLLS, polls, AtomicLong::get).register(meters));
    this.budgetInUse = MultiGauge.builder(RemediationMetrics.BUDGET_IN_USE).register(meters);
    refreshBudget();
  }

  void bind(Producer<?, ?> producer) {
    bind(new KafkaClientMetrics(producer));
  }

  void bind(Consumer<?, ?> consumer) {
    bind(new KafkaClientMetrics(consumer));
  }

  private void bind(KafkaClientMetrics binder) {
    binder.bindTo(meters);
    binders.add(binder);
  }

  void lag(long verdictsBehind) {
    lag.set(verdictsBehind);
  }

  void polled() {
    polls.incrementAndGet();
  }

  long polls() {
    return polls.get();
  }

  /** The nodes holding disruption budget now, by scope (always a global row). */
  void refreshBudget() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    Map<String, Integer> inUse = new HashMap<>(remediation.budgets().inUse());
    inUse.putIfAbsent("global", 0);
    Budgets budgets = remediation.budgets();
    // Each row reads its scope's use when scraped, and a scope that stays keeps its gauge: a
    // gauge replaced on every poll was absent for a moment, and a scrape then missed it.
    inUse.forEach(
        (scope, n) ->
            rows.add(
                MultiGauge.Row.of(
                    Tags.of("scope", scope), budgets, b -> b.inUse().getOrDefault(scope, 0))));
    budgetInUse.register(rows, false);
  }

  /**
   * Unbinds the clients and removes the gauges that read this service's objects: a warm standby's
   * next term registers its own, and a registry keeps the first meter of a name.
   */
  void close() {
    budgetInUse.register(List.of(), true);
    own.forEach(meters::remove);
    for (AutoCloseable b : binders) {
      try {
        b.close();
      } catch (Exception e) {
        log.debug("closing a Kafka metrics binder", e);
      }
    }
  }
}
