package io.gpuward.fleet;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * EC2 GPU instance types ({@code streams/ec2-gpu-instance-types.csv}, shipped in the jar). A type
 * not in the table has no NVIDIA GPU (m5.large, c7i...). Immutable.
 */
public final class InstanceTypeCatalog {

  /** Classpath location of the table shipped in the jar. */
  public static final String RESOURCE = "/gpuward/streams/ec2-gpu-instance-types.csv";

  private final Map<String, InstanceType> byName;

  private InstanceTypeCatalog(Map<String, InstanceType> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** The table shipped in the jar. */
  public static InstanceTypeCatalog load() {
    try (InputStream in = InstanceTypeCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("instance type table " + RESOURCE + " missing");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read instance type table " + RESOURCE, e);
    }
  }

  static InstanceTypeCatalog parse(InputStream csv) throws IOException {
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    Map<String, InstanceType> out = new TreeMap<>();
    try (MappingIterator<Map<String, String>> rows =
        new CsvMapper().readerForMapOf(String.class).with(schema).readValues(csv)) {
      int line = 1;
      while (rows.hasNext()) {
        line++;
        Map<String, String> r = rows.next();
        String name = req(r, "instance_type", line);
        boolean nvidia = "nvidia".equalsIgnoreCase(r.getOrDefault("gpu_vendor", ""));
        int count;
        try {
          count = Integer.parseInt(req(r, "expected_gpu_count", line));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "instance type table line " + line + ": expected_gpu_count is not a number", e);
        }
        int mem = parseIntOr(r.get("gpu_memory_mib"), 0);
        out.put(
            name.toLowerCase(Locale.ROOT),
            new InstanceType(
                name,
                nvidia ? count : 0,
                nvidia ? r.getOrDefault("gpu_model", "") : "",
                nvidia ? mem : 0,
                nvidia && r.getOrDefault("mig_capable", "").startsWith("yes"),
                nvidia && r.getOrDefault("nvswitch_fabric_manager", "").startsWith("yes")));
      }
    }
    return new InstanceTypeCatalog(out);
  }

  private static String req(Map<String, String> row, String col, int line) {
    String v = row.get(col);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          "instance type table line " + line + ": " + col + " missing");
    }
    return v.trim();
  }

  private static int parseIntOr(String s, int dflt) {
    try {
      return s == null || s.isBlank() ? dflt : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  /** The type when the table lists it. */
  public Optional<InstanceType> find(String instanceType) {
    if (instanceType == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(byName.get(instanceType.toLowerCase(Locale.ROOT)));
  }

  /**
   * The type, or a type with no NVIDIA GPU when the table does not list it (every CPU instance
   * type).
   */
  public InstanceType resolve(String instanceType) {
    return find(instanceType)
        .orElseGet(() -> new InstanceType(instanceType, 0, "", 0, false, false));
  }

  public int size() {
    return byName.size();
  }
}
