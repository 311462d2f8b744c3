package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;

/**
 * Renders what the NVIDIA driver writes to a node's kernel log, as {@code /dev/kmsg} records:
 * {@code <priority>,<sequence>,<microseconds since boot>,-;<message>}. At driver load, one {@code
 * NVRM: GPU at PCI:0000:53:00: GPU-<uuid>} line per GPU (how the exporter learns a UUID before DCGM
 * has been scraped); on a fault, {@code NVRM: Xid (PCI:0000:53:00): 79, pid=..., name=..., <text>},
 * with {@code pid='<unknown>', name=<unknown>} when no process is to blame.
 *
 * <p>Stamps are microseconds since the boot, so a line's time is the boot time plus its stamp, and
 * a reboot starts both the stamps and the sequence again.
 */
final class KernelLog {

  /** Facility kern (0), level warning (4): how the driver logs an Xid. */
  static final int WARNING = 4;

  /** Facility kern (0), level info (6): the driver's load messages. */
  static final int INFO = 6;

  private KernelLog() {}

  /** The Xid record of {@code xid} on the GPU at {@code kernelPci} at {@code at}. */
  static String xid(
      long seq,
      Instant bootTime,
      Instant at,
      String kernelPci,
      int xid,
      Long pid,
      String process,
      String message) {
    StringBuilder b = record(WARNING, seq, bootTime, at);
    b.append("NVRM: Xid (PCI:").append(kernelPci).append("): ").append(xid);
    b.append(", pid=").append(pid == null ? "'<unknown>'" : pid.toString());
    b.append(", name=").append(process == null ? "<unknown>" : process);
    return b.append(", ").append(message).toString();
  }

  /** The driver's {@code NVRM: GPU at} record, naming the GPU at {@code kernelPci}. */
  static String gpuAt(long seq, Instant bootTime, Instant at, String kernelPci, String uuid) {
    return record(INFO, seq, bootTime, at)
        .append("NVRM: GPU at PCI:")
        .append(kernelPci)
        .append(": ")
        .append(uuid)
        .toString();
  }

  /** The driver's load banner. */
  static String driverLoaded(long seq, Instant bootTime, Instant at, String driverVersion) {
    return record(INFO, seq, bootTime, at)
        .append("NVRM: loading NVIDIA UNIX x86_64 Kernel Module  ")
        .append(driverVersion)
        .toString();
  }

  private static StringBuilder record(int priority, long seq, Instant bootTime, Instant at) {
    long micros = Math.max(0, micros(Duration.between(bootTime, at)));
    return new StringBuilder(160)
        .append(priority)
        .append(',')
        .append(seq)
        .append(',')
        .append(micros)
        .append(",-;");
  }

  private static long micros(Duration d) {
    return d.getSeconds() * 1_000_000 + d.getNano() / 1_000;
  }
}
