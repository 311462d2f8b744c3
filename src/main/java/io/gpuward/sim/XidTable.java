package io.gpuward.sim;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The XID facts the simulator needs from {@code streams/xid-catalog.csv}: the recommended action
 * (which XIDs stick until a reset or reboot), whether it is an application XID (the line names a
 * process), and the driver's usual text.
 */
final class XidTable {

  static final String RESOURCE = "/gpuward/streams/xid-catalog.csv";

  /** One row: recommended action, category, name. */
  record Entry(int xid, String action, String category, String name) {
    /** RESET_GPU, REBOOT_NODE or REPLACE_NODE: the GPU stays faulted until reset or reboot. */
    boolean sticky() {
      return "RESET_GPU".equals(action)
          || "REBOOT_NODE".equals(action)
          || "REPLACE_NODE".equals(action);
    }

    /** Only a reboot (or replacement) clears it; a GPU reset does not. */
    boolean needsReboot() {
      return "REBOOT_NODE".equals(action) || "REPLACE_NODE".equals(action);
    }

    boolean application() {
      return category.startsWith("application")
          || "RESTART_APP".equals(action)
          || "CHECK_APP".equals(action);
    }
  }

  private static final Map<Integer, String> TEXT =
      Map.ofEntries(
          Map.entry(13, "Graphics SM Warp Exception on (GPC 1, TPC 3, SM 0): Out Of Range Address"),
          Map.entry(
              31,
              "Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @"
                  + " 0x7f1c_4a000000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ"),
          Map.entry(43, "Ch 00000010"),
          Map.entry(45, "Ch 00000010"),
          Map.entry(
              48,
              "An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer"
                  + " at partition 2, subpartition 0."),
          Map.entry(
              63,
              "Row Remapper: New row (0x00000000000a2f10) was marked for remapping, reset gpu to"
                  + " activate."),
          Map.entry(
              64,
              "Row Remapper: Failed to remap row (0x0000000000063d22). No spare rows remaining."),
          Map.entry(
              74, "NVLink: fatal error detected on link 4(0x0, 0x0, 0x10000, 0x0, 0x0, 0x0, 0x0)"),
          Map.entry(79, "GPU has fallen off the bus."),
          Map.entry(92, "High single-bit ECC error rate"),
          Map.entry(94, "Contained: SM (0x1). RST: No, D-RST: No"),
          Map.entry(95, "Uncontained: FBHUB. RST: Yes, D-RST: No"),
          Map.entry(
              119,
              "Timeout after 6s of waiting for RPC response from GPU0 GSP! Expected function 76"
                  + " (GSP_RM_CONTROL) (0x20800a4c 0x4)."),
          Map.entry(120, "GSP task exception: failed to respond, reset required"));

  private final Map<Integer, Entry> byXid;

  private XidTable(Map<Integer, Entry> byXid) {
    this.byXid = Map.copyOf(byXid);
  }

  static XidTable load() {
    try (InputStream in = XidTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("XID catalog " + RESOURCE + " missing from the classpath");
      }
      Map<Integer, Entry> out = new HashMap<>();
      CsvSchema schema = CsvSchema.emptySchema().withHeader();
      try (MappingIterator<Map<String, String>> rows =
          new CsvMapper().readerForMapOf(String.class).with(schema).readValues(in)) {
        while (rows.hasNext()) {
          Map<String, String> r = rows.next();
          int xid;
          try {
            xid = Integer.parseInt(r.getOrDefault("xid", "").trim());
          } catch (NumberFormatException e) {
            continue;
          }
          out.put(
              xid,
              new Entry(
                  xid,
                  r.getOrDefault("recommended_action", "").trim().toUpperCase(Locale.ROOT),
                  r.getOrDefault("category", "").trim(),
                  r.getOrDefault("name", "").trim()));
        }
      }
      return new XidTable(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read XID catalog " + RESOURCE, e);
    }
  }

  /** The entry, or an unknown-XID entry (no action, not sticky). */
  Entry entry(int xid) {
    Entry e = byXid.get(xid);
    return e != null ? e : new Entry(xid, "NONE", "unknown", "Unknown XID " + xid);
  }

  /** The driver's usual free text after the code and process fields. */
  String text(int xid) {
    String t = TEXT.get(xid);
    if (t != null) {
      return t;
    }
    String name = entry(xid).name();
    int bracket = name.indexOf(" [");
    return bracket > 0 ? name.substring(0, bracket) : name;
  }
}
