package io.gpuward.cli;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.Topics;
import io.gpuward.sink.LocalPostgres;
import io.gpuward.sink.SinkStack;
import io.gpuward.sink.SinkTables;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/** The {@code demo --sink} part: PostgreSQL and a Connect worker landing the tables. */
final class DemoSink implements AutoCloseable {

  private final SinkStack stack;
  private final Path keptDir;

  private DemoSink(SinkStack stack, Path keptDir) {
    this.stack = stack;
    this.keptDir = keptDir;
  }

  static DemoSink start(
      PrintStream o, String bootstrap, String registryUrl, Topics topics, Path keptDir) {
    SinkStack stack = SinkStack.start(bootstrap, registryUrl, topics, "", keptDir);
    o.printf(
        "  sink: PostgreSQL %s, Connect worker %s (%d sink connectors)%n",
        stack.postgres().jdbcUrl(), stack.worker().restUrl(), SinkTables.ALL.size());
    return new DemoSink(stack, keptDir);
  }

  /**
   * Waits (up to {@code timeout}) until the verdicts and audit records the demo saw are rows, and
   * the row counts have stopped changing.
   */
  void awaitLanded(
      Collection<FaultVerdict> verdicts, Collection<RemediationRecord> audit, Duration timeout)
      throws InterruptedException {
    long expectedVerdicts =
        verdicts.stream()
            .map(v -> v.getVerdictId() + "|" + v.getUpdatedAt() + "|" + v.getState())
            .distinct()
            .count();
    long expectedAudit =
        audit.stream()
            .map(r -> r.getOperationId() + "|" + r.getOutcome() + "|" + r.getAt())
            .distinct()
            .count();
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> last = null;
    int stableFor = 0;
    while (System.nanoTime() < deadline) {
      Map<String, Long> now = stack.rowCounts();
      boolean complete =
          now.get("gpu_verdicts") >= expectedVerdicts
              && now.get("remediation_audit") >= expectedAudit;
      stableFor = Objects.equals(now, last) ? stableFor + 1 : 0;
      if (complete && stableFor >= 4) {
        return;
      }
      last = now;
      Thread.sleep(500);
    }
  }

  /** Row counts and how to point Grafana at the database. */
  void report(PrintStream o) {
    o.printf("%nSink tables (PostgreSQL %s)%n", stack.postgres().jdbcUrl());
    stack.rowCounts().forEach((table, rows) -> o.printf("  %-22s %,8d rows%n", table, rows));
    o.printf(
        "%n  Grafana PostgreSQL data source: host 127.0.0.1:%d, database %s, user %s (read-only),"
            + " no password, TLS disabled%n",
        stack.postgres().port(), LocalPostgres.DATABASE, SinkTables.GRAFANA_ROLE);
    o.printf(
        "  With deploy/grafana/provisioning, set in Grafana's environment:%n"
            + "    GPUWARD_PG_HOST=127.0.0.1:%d GPUWARD_PG_DB=%s GPUWARD_PG_PASSWORD=%n",
        stack.postgres().port(), LocalPostgres.DATABASE);
    if (keptDir != null) {
      o.printf(
          "  data kept in %s; start it again with:%n    %spg_ctl -D %s/data -o \"-p 5432 -k %s\""
              + " start%n",
          keptDir,
          "root".equals(System.getProperty("user.name")) ? "runuser -u postgres -- " : "",
          keptDir,
          keptDir);
    }
  }

  /**
   * When stdin and stdout are a terminal, keeps PostgreSQL (and the rest) running until Ctrl-C, so
   * Grafana can be pointed at it; otherwise returns at once.
   */
  void holdIfInteractive(PrintStream o) throws InterruptedException {
    if (System.console() == null) {
      return;
    }
    o.printf("%n  PostgreSQL stays up for Grafana: press Ctrl-C to stop.%n");
    new CountDownLatch(1).await();
  }

  @Override
  public void close() {
    stack.close();
  }
}
