package io.gpuward.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.AvroJsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * A history read from the JSON lines {@code gpuward demo --out DIR} writes: {@code verdicts.jsonl}
 * and {@code audit.jsonl} are required; {@code incidents.jsonl}, {@code inventory.jsonl} and {@code
 * control.jsonl} are read when present (older runs did not write the last two).
 */
public final class HistoryFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HistoryFiles() {}

  /**
   * @throws IllegalArgumentException naming the file and line that cannot be read
   */
  public static History read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a folder");
    }
    return new History(
        lines(dir.resolve("verdicts.jsonl"), FaultVerdict.class, true),
        lines(dir.resolve("incidents.jsonl"), FleetIncident.class, false),
        lines(dir.resolve("inventory.jsonl"), NodeInventory.class, false),
        lines(dir.resolve("control.jsonl"), ControlCommand.class, false),
        lines(dir.resolve("audit.jsonl"), RemediationRecord.class, true));
  }

  private static <T extends SpecificRecord> List<T> lines(
      Path file, Class<T> type, boolean required) {
    if (!Files.exists(file)) {
      if (required) {
        throw new IllegalArgumentException(file + " is missing");
      }
      return List.of();
    }
    List<T> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          out.add(record(file, n, line, type));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static <T extends SpecificRecord> T record(Path file, int n, String line, Class<T> type) {
    try {
      JsonNode json = JSON.readTree(line);
      return AvroJsonReader.read(json, type);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + " line " + n + ": not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
