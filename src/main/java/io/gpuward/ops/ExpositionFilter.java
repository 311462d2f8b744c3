package io.gpuward.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes every meter pass {@code promtool check metrics}, whoever named it (Kafka's client metrics,
 * Micrometer's JVM binders): a gauge named {@code x.count} becomes {@code xs} ({@code
 * connection.count} → {@code connections}); a meter without a description gets the one from {@link
 * MeterHelp}; and meters measured in a non-base time unit ({@code ns}, {@code ms}, e.g. Kafka's
 * {@code io-time-ns-avg}, {@code start-time-ms}, the JVM's {@code process.cpu.time} in ns) are left
 * out, since a filter cannot rescale their values to seconds. gpuward's own names already follow
 * the rules and only gain their help text.
 */
public final class ExpositionFilter implements MeterFilter {

  private final MeterHelp help;

  /** A filter that fills in missing descriptions from {@code help}. */
  public ExpositionFilter(MeterHelp help) {
    this.help = help;
  }

  /** Non-base units, as name parts or base units: such meters are left out. */
  private static final Set<String> NON_BASE_UNITS =
      Set.of("ns", "us", "ms", "sec", "nanoseconds", "microseconds", "milliseconds", "minutes");

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    if (id.getBaseUnit() != null && NON_BASE_UNITS.contains(id.getBaseUnit())) {
      return MeterFilterReply.DENY;
    }
    for (String part : id.getName().split("\\.")) {
      if (NON_BASE_UNITS.contains(part)) {
        return MeterFilterReply.DENY;
      }
    }
    return MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    String name = name(id.getName(), id.getType());
    String description = id.getDescription();
    if (description == null || description.isBlank()) {
      description = help.describe(name);
    }
    if (name.equals(id.getName()) && description.equals(id.getDescription())) {
      return id;
    }
    return new Meter.Id(
        name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
  }

  /** The lint-clean name of a meter. */
  static String name(String name, Meter.Type type) {
    List<String> out = new ArrayList<>(List.of(name.split("\\.")));
    boolean countable =
        type == Meter.Type.COUNTER
            || type == Meter.Type.TIMER
            || type == Meter.Type.LONG_TASK_TIMER
            || type == Meter.Type.DISTRIBUTION_SUMMARY;
    if (!countable && out.size() > 1 && out.get(out.size() - 1).equals("count")) {
      out.remove(out.size() - 1);
      String last = out.remove(out.size() - 1);
      out.add(last.endsWith("s") ? last + ".number" : last + "s");
    }
    return String.join(".", out);
  }
}
