package io.gpuward.sim;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The fault mix of a generated fleet run: the root causes of the 419 unexpected interruptions of
 * Llama 3 405B pre-training (54 days on 16,384 H100s), from "The Llama 3 Herd of Models" (Meta,
 * 2024), Table 5, each mapped onto an injection the simulator supports and the verdict gpuward
 * should give it.
 *
 * <p>Silent data corruption (1.4%) is left out: it has no telemetry signal by definition, so a run
 * could only count it as a miss; the other causes keep their relative weights. The causes the paper
 * lists under 1% each (SSD, power supply, chassis, IO expansion board, dependency, CPU, system
 * memory) are one "other host" cause whose node stops answering (a hang).
 */
public final class FleetMix {

  /**
   * One root cause.
   *
   * @param name short name used in reports
   * @param percent its share of the paper's interruptions
   * @param expectedClass the {@code FaultClass} gpuward should open
   * @param remediate whether acting on the node is right
   */
  public record Cause(String name, double percent, String expectedClass, boolean remediate) {}

  public static final Cause FAULTY_GPU = new Cause("faulty-gpu", 30.1, "GPU_LOST", true);
  public static final Cause HBM3 = new Cause("gpu-hbm3", 17.2, "GPU_MEMORY_DEGRADED", true);
  public static final Cause SOFTWARE = new Cause("software-bug", 12.9, "APP_XID", false);
  public static final Cause NETWORK = new Cause("network", 8.4, "NVLINK_DEGRADED", true);
  public static final Cause MAINTENANCE =
      new Cause("host-maintenance", 7.6, "SCHEDULED_MAINTENANCE", true);
  public static final Cause SRAM = new Cause("gpu-sram", 4.5, "GPU_MEMORY_DEGRADED", true);
  public static final Cause GSP = new Cause("gsp", 3.8, "GPU_XID_FATAL", true);
  public static final Cause NIC = new Cause("nic", 1.7, "NODE_NOT_READY_GPU", true);
  public static final Cause NCCL = new Cause("nccl-watchdog", 1.7, "APP_XID", false);
  public static final Cause THERMAL = new Cause("gpu-thermal", 1.4, "GPU_THERMAL", true);
  public static final Cause OTHER_HOST = new Cause("other-host", 9.3, "NODE_NOT_READY_GPU", true);

  /** Every cause, in the paper's order. */
  public static final List<Cause> CAUSES =
      List.of(
          FAULTY_GPU,
          HBM3,
          SOFTWARE,
          NETWORK,
          MAINTENANCE,
          SRAM,
          GSP,
          NIC,
          NCCL,
          THERMAL,
          OTHER_HOST);

  private static final double TOTAL = CAUSES.stream().mapToDouble(Cause::percent).sum();

  /** How long link and cooling faults last, and a transient hang. */
  static final Duration EPISODE = Duration.ofMinutes(10);

  /** How far ahead EC2 announces host maintenance. */
  static final Duration MAINTENANCE_NOTICE = Duration.ofMinutes(30);

  private FleetMix() {}

  /** A cause drawn with the paper's weights. */
  public static Cause draw(SplittableRandom random) {
    double x = random.nextDouble() * TOTAL;
    for (Cause c : CAUSES) {
      x -= c.percent();
      if (x < 0) {
        return c;
      }
    }
    return CAUSES.get(CAUSES.size() - 1);
  }

  /**
   * The injection that plays {@code cause} on GPU {@code gpu}, drawing its variant from {@code
   * random}: application XIDs 13 and 31 for a software bug, 43 for an NCCL watchdog (the channel
   * the watchdog tore down); an XID 79 for a faulty GPU; a double-bit ECC error (XID 48) or a row
   * remap failure (XID 64) for HBM3; an uncontained memory error (XID 95) for SRAM; a GSP RPC
   * timeout (XID 119); NVLink errors and a thermal excursion that end after {@link #EPISODE}; an
   * EC2 system-maintenance event {@link #MAINTENANCE_NOTICE} ahead; a node hang, transient (with an
   * end) half the time.
   */
  static Injection injection(Cause cause, int gpu, SplittableRandom random) {
    if (cause == FAULTY_GPU) {
      return new Injection.Xid(gpu, 79);
    }
    if (cause == HBM3) {
      return random.nextInt(4) == 0
          ? new Injection.RowRemapFailure(gpu)
          : new Injection.EccDbe(gpu);
    }
    if (cause == SOFTWARE) {
      return new Injection.Xid(gpu, random.nextBoolean() ? 13 : 31);
    }
    if (cause == NCCL) {
      return new Injection.Xid(gpu, 43);
    }
    if (cause == NETWORK) {
      return new Injection.NvlinkErrors(gpu, 50, Optional.of(EPISODE));
    }
    if (cause == MAINTENANCE) {
      return new Injection.ScheduledEvent("system-maintenance", MAINTENANCE_NOTICE);
    }
    if (cause == SRAM) {
      return new Injection.Xid(gpu, 95);
    }
    if (cause == GSP) {
      return new Injection.Xid(gpu, 119);
    }
    if (cause == THERMAL) {
      return new Injection.Thermal(gpu, 97, EPISODE, Duration.ofSeconds(8));
    }
    return new Injection.Hang(random.nextBoolean() ? Optional.of(EPISODE) : Optional.empty());
  }

  /** Whether the injection ends by itself. */
  static boolean recovers(Injection injection) {
    return injection.lasting().isPresent();
  }
}
