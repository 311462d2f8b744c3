package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.XidEvent;
import io.gpuward.exporter.kmsg.KmsgParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KernelLogTest {

  private static final Instant BOOT = Instant.parse("2026-03-01T08:00:00Z");
  private static final Instant AT = Instant.parse("2026-03-01T12:00:05.250Z");
  private static final String PCI = GpuProfile.kernelPci("00000000:A8:00.0");
  private static final String UUID = "GPU-12345678-1111-2222-3333-444444444444";

  private static KmsgParser parser() {
    return new KmsgParser(
        "p5-train-2",
        "0f5e9a7c-1111-2222-3333-444444444444",
        BOOT,
        ZoneOffset.UTC,
        Clock.fixed(AT, ZoneOffset.UTC));
  }

  @Test
  void shouldWriteAKmsgRecordStampedInMicrosecondsSinceBoot() {
    String line = KernelLog.xid(1301, BOOT, AT, PCI, 79, null, null, "GPU has fallen off the bus.");

    assertThat(line)
        .isEqualTo(
            "4,1301,14405250000,-;NVRM: Xid (PCI:0000:a8:00): 79, pid='<unknown>',"
                + " name=<unknown>, GPU has fallen off the bus.");
  }

  @Test
  void shouldReadBackTheXidWithItsTimeSequenceAndGpuUuid() {
    KmsgParser p = parser();
    assertThat(p.parseLine(KernelLog.driverLoaded(1201, BOOT, BOOT.plusSeconds(4), "550.90.07")))
        .isEmpty();
    assertThat(p.parseLine(KernelLog.gpuAt(1202, BOOT, BOOT.plusSeconds(4), PCI, UUID))).isEmpty();

    XidEvent e =
        p.parseLine(
                KernelLog.xid(1301, BOOT, AT, PCI, 79, null, null, "GPU has fallen off the bus."))
            .orElseThrow();

    assertThat(e.getXid()).isEqualTo(79);
    assertThat(e.getEventTime()).isEqualTo(AT);
    assertThat(e.getPciBusId()).isEqualTo("00000000:A8:00.0");
    assertThat(e.getGpuUuid()).isEqualTo(UUID);
    assertThat(e.getKmsgSequence()).isEqualTo(1301L);
    assertThat(e.getEventId()).isEqualTo("p5-train-2/xid/0f5e9a7c/1301");
    assertThat(e.getPid()).isNull();
    assertThat(e.getProcessName()).isNull();
    assertThat(e.getMessage()).isEqualTo("GPU has fallen off the bus.");
  }

  @Test
  void shouldReadBackTheProcessOfAnApplicationXid() {
    XidTable table = XidTable.load();
    XidEvent e =
        parser()
            .parseLine(KernelLog.xid(1302, BOOT, AT, PCI, 13, 4242L, "python3", table.text(13)))
            .orElseThrow();

    assertThat(e.getXid()).isEqualTo(13);
    assertThat(e.getPid()).isEqualTo(4242L);
    assertThat(e.getProcessName()).isEqualTo("python3");
    assertThat(e.getMessage()).isEqualTo(table.text(13));
  }

  @Test
  void shouldReadBackEveryCatalogXidWithItsNumber() {
    XidTable table = XidTable.load();
    KmsgParser p = parser();
    long seq = 2000;
    for (int xid : new int[] {31, 43, 48, 63, 64, 74, 79, 92, 94, 95, 119, 120}) {
      XidEvent e =
          p.parseLine(KernelLog.xid(++seq, BOOT, AT, PCI, xid, null, null, table.text(xid)))
              .orElseThrow();
      assertThat(e.getXid()).as("XID %d", xid).isEqualTo(xid);
      assertThat(e.getMessage()).as("XID %d", xid).isEqualTo(table.text(xid));
    }
    assertThat(p.unparseableXidLines()).isZero();
  }
}
