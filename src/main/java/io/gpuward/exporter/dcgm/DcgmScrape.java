package io.gpuward.exporter.dcgm;

import io.gpuward.avro.GpuSample;
import java.util.List;

/**
 * What one dcgm-exporter scrape parsed into.
 *
 * @param samples one sample per GPU (keyed by UUID), ordered by GPU index, then UUID
 * @param lines lines in the text, blank and comment lines included
 * @param malformedLines lines that are not valid exposition format, skipped
 * @param ignoredSeries valid series that fill no field: unknown metrics, series without a GPU UUID,
 *     NVLink/NVSwitch/CPU entities
 * @param problems readable messages with line numbers, the first {@link DcgmParser#MAX_PROBLEMS}
 */
public record DcgmScrape(
    List<GpuSample> samples,
    int lines,
    int malformedLines,
    int ignoredSeries,
    List<String> problems) {

  public DcgmScrape {
    samples = List.copyOf(samples);
    problems = List.copyOf(problems);
  }

  /**
   * One line for people, e.g. {@code parsed 8 GPUs from 312 lines; 2 malformed lines skipped (line
   * 17: unterminated label value); 40 series ignored}.
   */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append("parsed ")
        .append(samples.size())
        .append(samples.size() == 1 ? " GPU" : " GPUs")
        .append(" from ")
        .append(lines)
        .append(lines == 1 ? " line" : " lines");
    if (malformedLines > 0) {
      b.append("; ")
          .append(malformedLines)
          .append(malformedLines == 1 ? " malformed line" : " malformed lines")
          .append(" skipped");
    }
    if (ignoredSeries > 0) {
      b.append("; ").append(ignoredSeries).append(" series ignored");
    }
    if (!problems.isEmpty()) {
      b.append(" (").append(problems.get(0));
      if (problems.size() > 1) {
        b.append("; ").append(problems.size() - 1).append(" more");
      }
      b.append(')');
    }
    return b.toString();
  }
}
