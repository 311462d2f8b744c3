package io.gpuward.exporter.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.XidEvent;
import io.gpuward.exporter.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class KmsgParserTest {
  static final String NODE = "ip-10-0-1-23.ec2.internal";
  static final String BOOT = "7c1d5f8e-2b3a-4c9d-8e7f-6a5b4c3d2e1f";
  static final Instant BOOTED = Instant.parse("2025-11-24T09:00:00Z");
  static final Instant NOW = Instant.parse("2025-11-24T12:00:00Z");

  private static KmsgParser parser() {
    return new KmsgParser(NODE, BOOT, BOOTED, ZoneOffset.UTC, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void shouldParseDevKmsgRecordsWithSequenceAndMonotonicTime() {
    KmsgParser p = parser();
    List<XidEvent> x = p.parse(Fixtures.text("kmsg/devkmsg.txt"));
    assertThat(p.linesRead()).isEqualTo(10);
    assertThat(p.unparseableXidLines()).isZero();
    assertThat(x).hasSize(3);
    assertThat(p.xidCount()).isEqualTo(3);

    XidEvent lost = x.get(0); // event times are epoch milliseconds (timestamp-millis)
    assertThat(lost.getXid()).isEqualTo(79);
    assertThat(lost.getNode()).isEqualTo(NODE);
    assertThat(lost.getBootId()).isEqualTo(BOOT);
    assertThat(lost.getKmsgSequence()).isEqualTo(2050L);
    assertThat(lost.getEventId()).isEqualTo(NODE + "/xid/7c1d5f8e/2050");
    assertThat(lost.getEventTime()).isEqualTo(Instant.parse("2025-11-24T09:15:12.345Z"));
    assertThat(lost.getPciBusId()).isEqualTo("00000000:53:00.0");
    assertThat(lost.getGpuUuid()).isEqualTo("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");
    assertThat(lost.getPid()).isEqualTo(123456L);
    assertThat(lost.getProcessName()).isEqualTo("python3");
    assertThat(lost.getMessage()).isEqualTo("GPU has fallen off the bus.");

    XidEvent warp = x.get(1);
    assertThat(warp.getXid()).isEqualTo(13);
    assertThat(warp.getKmsgSequence()).isEqualTo(2051L);
    assertThat(warp.getPid()).isNull();
    assertThat(warp.getProcessName()).isNull();
    assertThat(warp.getGpuUuid()).isEqualTo("GPU-2f7a6c1e-9b3d-4e21-8a47-0c5d3e9f1b22");
    assertThat(warp.getMessage())
        .isEqualTo("Graphics SM Warp Exception on (GPC 1, TPC 3, SM 0): Out Of Range Address");

    XidEvent mmu = x.get(2);
    assertThat(mmu.getXid()).isEqualTo(31);
    assertThat(mmu.getProcessName()).isEqualTo("pt_main_thread");
    assertThat(mmu.getMessage())
        .startsWith("Ch 00000008, intr 00000000. MMU Fault")
        .contains("Fault is of type FAULT_PDE")
        .doesNotContain("\\x0a");
    assertThat(p.gpuUuids()).hasSize(2);
  }

  @Test
  void shouldParseDmesgAndEveryXidLayout() {
    KmsgParser p = parser();
    List<XidEvent> x = p.parse(Fixtures.text("kmsg/dmesg.txt"));
    assertThat(p.linesRead()).isEqualTo(18);
    assertThat(x).hasSize(13);
    assertThat(p.unparseableXidLines()).isEqualTo(2);
    assertThat(p.problems())
        .hasSize(2)
        .anySatisfy(m -> assertThat(m).startsWith("line 17: no XID code"))
        .anySatisfy(m -> assertThat(m).startsWith("line 18: no ')'"));
    assertThat(x).allSatisfy(e -> assertThat(e.getKmsgSequence()).isNull());
    assertThat(x)
        .extracting(XidEvent::getXid)
        .containsExactly(13, 119, 48, 13, 94, 79, 74, 109, 145, 149, 154, 13, 62);

    XidEvent warp = x.get(0);
    assertThat(warp.getEventTime()).isEqualTo(Instant.parse("2025-11-24T09:15:12.345Z"));
    assertThat(warp.getPciBusId()).isEqualTo("00000000:B5:00.0");
    assertThat(warp.getGpuUuid()).isEqualTo("GPU-5cd2b7a1-cb5c-bc4e-3f28-6e3a1c8b0f11");
    assertThat(warp.getPid()).isNull();
    assertThat(warp.getEventId()).startsWith(NODE + "/xid/h").hasSize(NODE.length() + 6 + 16);

    XidEvent gsp = x.get(1);
    assertThat(gsp.getPid()).isEqualTo(1582259L);
    assertThat(gsp.getProcessName()).isEqualTo("nvc:[driver]");
    assertThat(gsp.getMessage())
        .isEqualTo(
            "Timeout after 6s of waiting for RPC response from GPU1 GSP! Expected function 76"
                + " (GSP_RM_CONTROL) (0x20808513 0x598).");

    XidEvent dbe = x.get(2);
    assertThat(dbe.getPid()).isNull(); // pid=' '
    assertThat(dbe.getProcessName()).isNull(); // name=
    assertThat(dbe.getMessage()).startsWith("An uncorrectable double bit error (DBE)");
    assertThat(dbe.getGpuUuid()).isNull();

    XidEvent ray = x.get(3);
    assertThat(ray.getEventTime()).isEqualTo(Instant.parse("2025-11-24T09:16:41.5Z"));
    assertThat(ray.getProcessName()).isEqualTo("ray::RayTrainWorker._RayTrainWorker__execute");

    assertThat(x.get(4).getProcessName()).isEqualTo("python3 train.py");
    assertThat(x.get(4).getMessage()).isEqualTo("Contained: SM (0x1). RST: No, D-RST: No");
    assertThat(x.get(5).getPciBusId()).isEqualTo("00000001:00:00.0");
    assertThat(x.get(5).getProcessName()).isEqualTo("kworker/u256:3");
    XidEvent vmd = x.get(6);
    assertThat(vmd.getPciBusId()).isEqualTo("00010000:01:00.0");
    assertThat(vmd.getPid()).isEqualTo(777L);
    assertThat(vmd.getProcessName()).isEqualTo("python3");
    assertThat(vmd.getMessage()).startsWith("NVLINK: Fatal error detected on link 2(0x0");
    XidEvent fn = x.get(7);
    assertThat(fn.getPciBusId()).isEqualTo("00000000:00:07.0");
    assertThat(fn.getMessage())
        .isEqualTo("Ch 00000010, errorString CTX SWITCH TIMEOUT, Info 0x3c049");
    assertThat(x.get(8).getPid()).isNull();
    assertThat(x.get(8).getMessage()).startsWith("RLW_REMAP Nonfatal XC0 i0 Link 10 (0x00000001");
    assertThat(x.get(9).getMessage()).startsWith("NETIR_LINK_EVT Fatal XC0 i0 Link 03");
    assertThat(x.get(10).getMessage())
        .isEqualTo("GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)");
    XidEvent old = x.get(11);
    assertThat(old.getPciBusId()).isEqualTo("00000000:03:00.0");
    assertThat(old.getMessage()).isEqualTo("0001 00000000 0000a1c0 00000d04 00000000 00000000");
    assertThat(x.get(12).getMessage()).isEqualTo("00da(6cbc) 00000000 00000000");
  }

  @Test
  void shouldReadWallTimeFromDmesgT() {
    KmsgParser p = parser();
    List<XidEvent> x = p.parse(Fixtures.text("kmsg/dmesg-T.txt"));
    assertThat(x).hasSize(2);
    assertThat(x.get(0).getEventTime()).isEqualTo(Instant.parse("2025-11-24T10:15:42Z"));
    assertThat(x.get(0).getGpuUuid()).isEqualTo("GPU-66666666-aaaa-4bbb-8ccc-dddddddddddd");
    assertThat(x.get(1).getEventTime()).isEqualTo(Instant.parse("2025-11-04T09:05:07Z"));
    assertThat(x.get(1).getXid()).isEqualTo(43);
  }

  @Test
  void shouldReadSyslogJournaldAndIsoPrefixes() {
    // read a day after NOW: the journald line is from the next morning
    Instant later = NOW.plus(Duration.ofDays(1));
    KmsgParser p =
        new KmsgParser(NODE, BOOT, BOOTED, ZoneOffset.UTC, Clock.fixed(later, ZoneOffset.UTC));
    List<XidEvent> x = p.parse(Fixtures.text("kmsg/syslog.txt"));
    assertThat(p.unparseableXidLines()).isZero();
    assertThat(x).extracting(XidEvent::getXid).containsExactly(79, 63, 92, 64, 95, 120, 57, 58, 45);
    assertThat(x)
        .extracting(XidEvent::getEventTime)
        .containsExactly(
            Instant.parse("2025-11-24T10:15:03Z"), // syslog wall time wins over [912.345678]
            Instant.parse("2025-11-04T09:05:07Z"),
            Instant.parse("2025-11-24T10:20:00.123Z"),
            Instant.parse("2025-11-24T10:20:00Z"), // +0100
            Instant.parse("2025-11-24T10:25:00.5Z"), // RFC 5424
            Instant.parse("2025-11-24T10:30:00.25Z"), // dmesg --time-format iso
            BOOTED.plusSeconds(5000), // dmesg -x
            BOOTED.plusSeconds(5001), // <4>[...]
            Instant.parse("2025-11-25T10:10:00.250Z")); // journalctl -o short-unix
    assertThat(x.get(0).getGpuUuid()).isEqualTo("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138");
    assertThat(x.get(0).getProcessName()).isEqualTo("test");
    assertThat(x.get(1).getMessage())
        .isEqualTo("Row Remapper: New row marked for remapping, reset gpu to activate.");
    assertThat(x.get(2).getPid()).isNull();
    assertThat(x.get(2).getMessage()).isEqualTo("High single-bit ECC error rate");
    assertThat(x.get(4).getMessage()).isEqualTo("Uncontained: FBHUB. RST: Yes, D-RST: No");
  }

  @Test
  void shouldPutSyslogTimesInThePastYearAcrossNewYear() {
    Instant newYear = Instant.parse("2026-01-01T00:30:00Z");
    KmsgParser p =
        new KmsgParser(NODE, BOOT, null, ZoneOffset.UTC, Clock.fixed(newYear, ZoneOffset.UTC));
    assertThat(
            p.parseLine("Dec 31 23:59:00 h kernel: NVRM: Xid (PCI:0000:17:00): 79, x")
                .orElseThrow()
                .getEventTime())
        .isEqualTo(Instant.parse("2025-12-31T23:59:00Z"));
    assertThat(
            p.parseLine("Jan  1 00:29:00 h kernel: NVRM: Xid (PCI:0000:17:00): 79, x")
                .orElseThrow()
                .getEventTime())
        .isEqualTo(Instant.parse("2026-01-01T00:29:00Z"));
  }

  @Test
  void shouldRefuseADateNoClockCanReadYetSayingWhy() {
    KmsgParser p = parser();
    assertThat(
            p.parseLine(
                "[Thu Jan  1 10:00:00 2099] NVRM: Xid (PCI:0000:17:00): 79, GPU has fallen off"))
        .isEmpty();
    assertThat(p.unparseableXidLines()).isEqualTo(1);
    assertThat(p.refusedTimes()).isEqualTo(1);
    assertThat(p.summary()).contains("ahead of the wall clock");
  }

  @Test
  void shouldUseTheDefaultTimeWhenTheLineHasNone() {
    KmsgParser noBoot =
        new KmsgParser(NODE, null, null, ZoneOffset.UTC, Clock.fixed(NOW, ZoneOffset.UTC));
    XidEvent e =
        noBoot
            .parseLine("6,17,912345678,-;NVRM: Xid (PCI:0000:17:00): 79, GPU has fallen off")
            .orElseThrow();
    assertThat(e.getEventTime()).isEqualTo(NOW); // monotonic, but no boot time
    assertThat(e.getEventId()).isEqualTo(NODE + "/xid/noboot/17");
    assertThat(e.getBootId()).isNull();
    assertThat(
            noBoot
                .parseLine("NVRM: Xid (PCI:0000:17:00): 79, GPU has fallen off")
                .orElseThrow()
                .getEventTime())
        .isEqualTo(NOW);
  }

  @Test
  void shouldJoinXidsToUuidsLearntFromDcgm() {
    KmsgParser p = parser();
    p.learn("00000000:17:00.0", "GPU-17171717-aaaa-4bbb-8ccc-dddddddddddd");
    p.learn(null, "GPU-x");
    p.learn("not a bus id", "GPU-x");
    assertThat(p.uuidOf("0000:17:00")).contains("GPU-17171717-aaaa-4bbb-8ccc-dddddddddddd");
    XidEvent e =
        p.parseLine("[ 1.0] NVRM: Xid (PCI:0000:17:00): 79, pid=1, name=x, off the bus")
            .orElseThrow();
    assertThat(e.getGpuUuid()).isEqualTo("GPU-17171717-aaaa-4bbb-8ccc-dddddddddddd");
    assertThat(p.gpuUuids()).hasSize(1);
  }

  @Test
  void shouldGiveTheSameIdToTheSameLineAndDifferentIdsToDifferentLines() {
    String a = "[ 912.345678] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=x, off the bus";
    String b = "[ 912.345679] NVRM: Xid (PCI:0000:53:00): 79, pid=1, name=x, off the bus";
    String idA = parser().parseLine(a).orElseThrow().getEventId();
    assertThat(parser().parseLine(a + "\r\n").orElseThrow().getEventId()).isEqualTo(idA);
    assertThat(parser().parseLine(b).orElseThrow().getEventId()).isNotEqualTo(idA);
  }

  @Test
  void shouldIgnoreOtherLinesAndNeverThrow() {
    KmsgParser p = parser();
    for (String line :
        new String[] {
          null,
          "",
          " ",
          "NVRM:",
          "NVRM: Xid",
          "NVRM: Xid (",
          "NVRM: Xid ()",
          "NVRM: Xid (PCI:zz:zz:zz): 79, x",
          "NVRM: Xid (PCI:0000:17:00): 0, x",
          "NVRM: Xid (PCI:0000:17:00): 99999999999, x",
          "NVRM: Xid (PCI:0000:17:00): 79, pid=",
          "NVRM: Xid (PCI:0000:17:00): 79, pid='",
          "NVRM: Xid (PCI:0000:17:00): 79, name='unterminated",
          "NVRM: GPU at PCI:",
          "NVRM: GPU at PCI:0000:17:00: GPU-",
          "1,2,3;NVRM: Xid (PCI:0000:17:00): 79, x",
          "9,99999999999999999999,9;NVRM: Xid (PCI:0000:17:00): 79, x",
          "[99999999999999999999.1] NVRM: Xid (PCI:0000:17:00): 79, x",
          "[Mon Feb 31 10:00:00 2025] NVRM: Xid (PCI:0000:17:00): 79, x",
          "2025-13-45T99:99:99Z NVRM: Xid (PCI:0000:17:00): 79, x",
          "Feb 30 25:61:61 h kernel: NVRM: Xid (PCI:0000:17:00): 79, x",
          "<999999999999>NVRM: Xid (PCI:0000:17:00): 79, x",
          "\u0000\uFFFF\uD800 NVRM: Xid \uD800(PCI:0000:17:00): 79, \u0000"
        }) {
      p.parseLine(line);
    }
    assertThat(p.problems()).noneMatch(m -> m.contains("cannot parse"));
    // PCI garbage and bad stamps still give the XID; only a missing or zero code does not
    XidEvent e = parser().parseLine("NVRM: Xid (PCI:zz:zz:zz): 79, x").orElseThrow();
    assertThat(e.getPciBusId()).isNull();
    assertThat(e.getMessage()).isEqualTo("x");
    assertThat(
            parser()
                .parseLine("[Mon Feb 31 10:00:00 2025] NVRM: Xid (PCI:0000:17:00): 79, x")
                .orElseThrow()
                .getEventTime())
        .isEqualTo(NOW);
  }

  @Test
  void shouldSummariseInOneLine() {
    KmsgParser p = parser();
    p.parse(Fixtures.text("kmsg/dmesg.txt"));
    assertThat(p.summary())
        .isEqualTo(
            "read 18 lines: 13 XIDs, 2 unparseable NVRM Xid lines, 1 PCI to UUID mappings"
                + " (line 17: no XID code after the PCI address: [ 1012.000000] NVRM: Xid"
                + " (PCI:0000:17:00):; 1 more)");
  }
}
