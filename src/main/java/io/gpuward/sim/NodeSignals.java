package io.gpuward.sim;

import io.gpuward.exporter.NodeFeed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a simulated node's own agents write, as text for gpuward's exporter to read: the
 * dcgm-exporter page (or a refused scrape), and the kernel log (the driver's lines at each boot, an
 * XID's {@code NVRM: Xid} line). Kept apart from the control plane's records because these go
 * through the exporter's parsing code, exactly as on a real node. Simulator thread only.
 */
final class NodeSignals {

  private static final Logger log = LoggerFactory.getLogger(NodeSignals.class);

  private static final String[] APP_PROCESSES = {"python3", "pt_main_thread", "tritonserver"};
  private static final String DCGM_URL = "http://127.0.0.1:9400/metrics";

  /** Kernel start to NVIDIA driver load: its lines are stamped that far into the boot. */
  private static final Duration DRIVER_LOADS_AFTER = Duration.ofSeconds(4);

  private final NodeFeed feed;
  private final GpuTelemetry telemetry;
  private final DcgmExposition exposition;
  private final XidTable xids;

  NodeSignals(NodeFeed feed, long intervalNanos, XidTable xids) {
    this.feed = feed;
    this.telemetry = new GpuTelemetry(intervalNanos);
    this.xids = xids;
    this.exposition = new DcgmExposition(xids::text);
  }

  /** One scrape of every node whose exporter is up: its page, or a refused connection. */
  void scrape(List<NodeSim> nodes, Instant t) {
    for (NodeSim n : nodes) {
      if (!n.exporterUp(t)) {
        continue;
      }
      if (n.silenceUntil != null) {
        n.silenceUntil = null; // silence over
        n.silenceFault = -1;
      }
      if (n.operandDown("dcgm-exporter")) {
        feed.scrapeFailed(n.name, t, "GET " + DCGM_URL + ": Connection refused");
      } else {
        feed.scrape(n.name, t, exposition.render(n.name, telemetry.read(n, t)));
      }
    }
  }

  /**
   * The node (re)booted at {@code bootTime} with {@code bootId}: a new kernel log, whose driver
   * load names every GPU and its PCI address, as the NVIDIA driver does.
   */
  void boot(NodeSim n, String bootId, Instant bootTime, Instant readAt) {
    n.bootId = bootId;
    n.bootTime = bootTime;
    feed.boot(n.name, bootId, bootTime);
    if (n.gpus.length == 0) {
      return;
    }
    Instant loaded = bootTime.plus(DRIVER_LOADS_AFTER);
    List<String> lines = new ArrayList<>(n.gpus.length + 1);
    lines.add(KernelLog.driverLoaded(++n.kmsgSeq, bootTime, loaded, n.group.spec.driverVersion()));
    for (GpuSim g : n.gpus) {
      lines.add(KernelLog.gpuAt(++n.kmsgSeq, bootTime, loaded, g.kernelPci, g.uuid));
    }
    for (String line : lines) {
      feed.kernelLine(n.name, readAt, line);
    }
  }

  /**
   * The XID's kernel line, when the node's exporter runs to read it; an application XID names a
   * process (the scenario's, else the group's usual one).
   */
  void xidLine(
      NodeSim n,
      GpuSim g,
      int code,
      boolean application,
      Instant at,
      String message,
      Long pid,
      String process) {
    if (!n.exporterUp(at)) {
      log.info("sim: node={} gpu={} XID {} not reported: exporter down", n.name, g.index, code);
      return;
    }
    Long linePid = pid;
    String lineProcess = process;
    if (application) {
      if (linePid == null) {
        linePid = 1000L + n.rng.nextInt(98_000);
      }
      if (lineProcess == null) {
        lineProcess = APP_PROCESSES[n.group.gpus() >= 8 ? 0 : 2];
      }
    }
    n.kmsgSeq += 1 + n.rng.nextInt(40);
    String text = message != null ? message : xids.text(code);
    String line =
        KernelLog.xid(n.kmsgSeq, n.bootTime, at, g.kernelPci, code, linePid, lineProcess, text);
    log.info("sim: node={} kernel: {}", n.name, line);
    feed.kernelLine(n.name, at, line);
  }

  /** The node left the fleet: its exporter pipeline ends. */
  void gone(NodeSim n) {
    feed.nodeGone(n.name);
  }
}
