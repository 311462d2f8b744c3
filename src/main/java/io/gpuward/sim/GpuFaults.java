package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of one GPU and how they end: XIDs (sticky until a reset or a reboot, or back after every
 * reboot), ECC and row-remap errors, single-bit storms, NVLink errors, overheating, a GPU off the
 * bus or missing; and what a GPU reset, a reboot or a recover clears. One place for a GPU's state
 * so telemetry, the kernel log and the allocatable count all follow it. Simulator thread only.
 */
final class GpuFaults {

  private static final Logger log = LoggerFactory.getLogger(GpuFaults.class);

  private static final Duration RECENT_XID_HOLD = Duration.ofSeconds(30);

  private final SimFollowUps followUps;
  private final NodePublisher publisher;
  private final NodeSignals signals;
  private final XidTable xids;

  GpuFaults(SimFollowUps followUps, NodePublisher publisher, NodeSignals signals, XidTable xids) {
    this.followUps = followUps;
    this.publisher = publisher;
    this.signals = signals;
    this.xids = xids;
  }

  /** Applies a GPU fault on the node; false when {@code f} is not one. */
  boolean apply(NodeSim n, Fault f, Instant at) {
    Injection inj = f.injection();
    if (inj instanceof Injection.Xid x) {
      onGpu(n, x.gpuIndex(), g -> xidFault(n, g, x, at));
    } else if (inj instanceof Injection.EccDbe e) {
      onGpu(n, e.gpuIndex(), g -> eccDbe(n, g, at));
    } else if (inj instanceof Injection.SbeStorm s) {
      onGpu(n, s.gpuIndex(), g -> sbeStorm(g, f.index(), s, at));
    } else if (inj instanceof Injection.RowRemapFailure r) {
      onGpu(n, r.gpuIndex(), g -> rowRemapFailure(n, g, at));
    } else if (inj instanceof Injection.Thermal th) {
      onGpu(n, th.gpuIndex(), g -> thermal(g, f.index(), th, at));
    } else if (inj instanceof Injection.NvlinkErrors nv) {
      onGpu(n, nv.gpuIndex(), g -> nvlink(n, g, f.index(), nv, at));
    } else if (inj instanceof Injection.GpuMissing gm) {
      onGpu(n, gm.gpuIndex(), g -> missing(n, g, f.index(), gm, at));
    } else {
      return false;
    }
    return true;
  }

  /** Changes the GPU when it is there to change (the node has it, and it is on the bus). */
  private void onGpu(NodeSim n, int index, Consumer<GpuSim> change) {
    GpuSim g = gpu(n, index);
    if (g != null) {
      change.accept(g);
    }
  }

  private void xidFault(NodeSim n, GpuSim g, Injection.Xid x, Instant at) {
    injectXid(n, g, x, at);
    if (x.survives() == Injection.Xid.Survives.REBOOT) {
      n.survivingXids.add(x);
    }
  }

  private void eccDbe(NodeSim n, GpuSim g, Instant at) {
    countDbe(n, g);
    xid(n, g, 48, at, null, null, null);
    if (n.group.profile.ampereOrLater()) {
      xid(n, g, 63, at, null, null, null);
    }
  }

  /** What a double-bit ECC error leaves in the GPU's counters until a reset. */
  private static void countDbe(NodeSim n, GpuSim g) {
    g.dbeVol++;
    g.dbeAgg++;
    if (n.group.profile.ampereOrLater()) {
      g.rowUncorr++;
      g.rowPending = true;
    } else {
      g.retiredPending++;
      g.retiredDbe++;
    }
  }

  private void sbeStorm(GpuSim g, int fault, Injection.SbeStorm s, Instant at) {
    g.sbeStormRate = s.ratePerSecond();
    g.sbeStormFault = fault;
    followUps.endAfter(
        s.forDuration(),
        at,
        t -> {
          if (g.sbeStormFault == fault) {
            g.sbeStormRate = 0;
            g.sbeStormFault = -1;
          }
        });
  }

  private void rowRemapFailure(NodeSim n, GpuSim g, Instant at) {
    g.dbeVol++;
    g.dbeAgg++;
    g.rowFailure = true;
    xid(n, g, 64, at, null, null, null);
  }

  private void thermal(GpuSim g, int fault, Injection.Thermal th, Instant at) {
    double base = g.thermal != null ? g.thermal.temperature(at, g.temp) : g.temp;
    g.thermal =
        new GpuSim.Thermal(
            fault,
            at,
            base,
            th.celsius(),
            th.ramp().toNanos(),
            at.plus(th.forDuration()),
            th.hwThrottle());
  }

  private void nvlink(NodeSim n, GpuSim g, int fault, Injection.NvlinkErrors nv, Instant at) {
    g.nvlinkRate = nv.ratePerSecond();
    g.nvlinkFault = fault;
    xid(n, g, 74, at, null, null, null);
    followUps.endAfter(
        nv.forDuration(),
        at,
        t -> {
          if (g.nvlinkFault == fault) {
            g.nvlinkRate = 0;
            g.nvlinkFault = -1;
          }
        });
  }

  private void missing(NodeSim n, GpuSim g, int fault, Injection.GpuMissing gm, Instant at) {
    g.missing = true;
    g.missingFault = fault;
    publisher.updateResources(n, at);
    followUps.endAfter(
        gm.forDuration(),
        at,
        t -> {
          if (g.missingFault == fault && !n.terminated) {
            g.missing = false;
            g.missingFault = -1;
            publisher.updateResources(n, t);
          }
        });
  }

  private void injectXid(NodeSim n, GpuSim g, Injection.Xid x, Instant at) {
    if (x.code() == 48) {
      countDbe(n, g); // a GPU reports XID 48 only for an error its ECC counters show
    }
    xid(
        n,
        g,
        x.code(),
        at,
        x.message().orElse(null),
        x.pid().orElse(null),
        x.process().orElse(null));
    if (x.survives() != Injection.Xid.Survives.NOTHING && g.stickyXid != 0) {
      g.stickyNeedsReboot = true; // a GPU reset does not clear it
    }
    if (x.code() == 79) {
      g.lost = true;
      publisher.updateResources(n, at);
    } else if (x.unhealthy() && !g.unhealthy) {
      g.unhealthy = true;
      log.info("sim: node={} gpu={} marked unhealthy by the device plugin", n.name, g.index);
      publisher.updateResources(n, at);
    }
  }

  /** A broken GPU's XIDs come back after a reboot; only a new instance is rid of them. */
  void recurAfterReboot(NodeSim n, Instant at) {
    for (Injection.Xid x : List.copyOf(n.survivingXids)) {
      followUps.at(
          at.plus(Injection.Xid.RECURS_AFTER),
          t -> {
            GpuSim g = gpu(n, x.gpuIndex());
            if (g == null || n.terminated || !n.registered || n.rebooting) {
              return;
            }
            log.info(
                "sim: node={} gpu={} XID {} again after the reboot",
                n.name,
                x.gpuIndex(),
                x.code());
            injectXid(n, g, x, t);
          });
    }
  }

  /** The XID as DCGM holds it (sticky or recent), and its kernel line. */
  private void xid(
      NodeSim n, GpuSim g, int code, Instant at, String message, Long pid, String process) {
    XidTable.Entry e = xids.entry(code);
    if (e.sticky()) {
      if (g.stickyXid == 0 || e.needsReboot() || !g.stickyNeedsReboot) {
        g.stickyXid = code;
        g.stickyNeedsReboot = g.stickyNeedsReboot || e.needsReboot();
      }
    } else {
      g.recentXid = code;
      g.recentXidUntil = at.plus(RECENT_XID_HOLD);
    }
    signals.xidLine(n, g, code, e.application(), at, message, pid, process);
  }

  private GpuSim gpu(NodeSim n, int index) {
    if (n.terminated || index < 0 || index >= n.gpus.length) {
      log.info("sim: node={} has no gpu={}, fault skipped", n.name, index);
      return null;
    }
    GpuSim g = n.gpus[index];
    if (!g.visible()) {
      log.info("sim: node={} gpu={} is off the bus, fault skipped", n.name, index);
      return null;
    }
    return g;
  }

  /** A reboot: every GPU back on the bus, sticky XIDs and volatile counters gone, cool. */
  void rebooted(NodeSim n) {
    for (GpuSim g : n.gpus) {
      g.lost = false;
      g.missing = false;
      g.missingFault = -1;
      g.stickyXid = 0;
      g.stickyNeedsReboot = false;
      g.unhealthy = false;
      g.resetVolatile();
      g.temp = 32 + g.tempOffset;
    }
  }

  /** A GPU reset done: a sticky XID that needs no reboot and the volatile counters are gone. */
  void resetDone(NodeSim n, int index, Instant at) {
    if (index < 0 || index >= n.gpus.length) {
      return;
    }
    GpuSim g = n.gpus[index];
    if (!g.visible()) {
      log.info("sim: node={} gpu={} reset had no effect: GPU not on the bus", n.name, index);
      return;
    }
    if (g.stickyXid != 0 && !g.stickyNeedsReboot) {
      g.stickyXid = 0;
    }
    if (g.unhealthy && g.stickyXid == 0) {
      // Healthy again: the device plugin advertises it once more (a plugin that does not recover
      // devices needs its pod restarted for that; gpuward does not model that here).
      g.unhealthy = false;
      publisher.updateResources(n, at);
    }
    g.resetVolatile();
    if (g.thermal == null) {
      g.temp = 32 + g.tempOffset;
    }
    log.info("sim: node={} gpu={} reset, lastXid now {}", n.name, index, g.lastXid(at));
  }

  /** A recover: every GPU fault ends (a rising temperature starts to fall). */
  void recover(NodeSim n, Instant at) {
    for (GpuSim g : n.gpus) {
      g.lost = false;
      g.missing = false;
      g.missingFault = -1;
      g.stickyXid = 0;
      g.stickyNeedsReboot = false;
      g.unhealthy = false;
      g.recentXid = 0;
      g.rowFailure = false;
      g.rowPending = false;
      g.sbeStormRate = 0;
      g.sbeStormFault = -1;
      g.nvlinkRate = 0;
      g.nvlinkFault = -1;
      if (g.thermal != null && g.thermal.rising(at)) {
        g.thermal.downAt = at;
      }
    }
  }
}
