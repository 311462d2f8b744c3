package io.gpuward.engine.domain;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** NVIDIA's XID catalog: what each XID means and what NVIDIA recommends doing about it. */
public final class XidCatalog {
  private final Map<Integer, XidEntry> byXid;

  private XidCatalog(Map<Integer, XidEntry> byXid) {
    this.byXid = Map.copyOf(byXid);
  }

  /** Parses the CSV ({@code xid,name,category,severity,recommended_action,...}). */
  public static XidCatalog parse(InputStream csv, String where) throws IOException {
    Map<Integer, XidEntry> out = new TreeMap<>();
    Map<Integer, Integer> lines = new HashMap<>();
    try (MappingIterator<Map<String, String>> rows =
        new CsvMapper()
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv)) {
      int line = 1;
      while (rows.hasNext()) {
        line++;
        XidEntry e = entry(rows.next(), where, line);
        Integer first = lines.putIfAbsent(e.xid(), line);
        if (first != null) {
          // Overrides belong in rules.yaml (xid.codes); a second row would silently replace the
          // first.
          throw new IllegalArgumentException(
              where
                  + " line "
                  + line
                  + ": xid "
                  + e.xid()
                  + " is listed twice (first on line "
                  + first
                  + ")");
        }
        out.put(e.xid(), e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(where + ": no XIDs");
    }
    return new XidCatalog(out);
  }

  private static XidEntry entry(Map<String, String> r, String where, int line) {
    int xid;
    try {
      xid = Integer.parseInt(r.getOrDefault("xid", "").trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + " line " + line + ": xid is not a number", e);
    }
    String action = r.getOrDefault("recommended_action", "").trim();
    if (action.isEmpty()) {
      throw new IllegalArgumentException(where + " line " + line + ": recommended_action missing");
    }
    return new XidEntry(
        xid,
        r.getOrDefault("name", "").trim(),
        r.getOrDefault("category", "").trim(),
        r.getOrDefault("severity", "").trim(),
        action);
  }

  public Optional<XidEntry> find(int xid) {
    return Optional.ofNullable(byXid.get(xid));
  }

  public int size() {
    return byXid.size();
  }
}
