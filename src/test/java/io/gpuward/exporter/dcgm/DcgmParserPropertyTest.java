package io.gpuward.exporter.dcgm;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.exporter.Fixtures;
import io.gpuward.exporter.Mutations;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random, truncated and mutated scrapes: no exception escapes, no valid series is lost. */
class DcgmParserPropertyTest {
  static final Instant T = Instant.parse("2025-11-24T10:00:00Z");
  static final List<String> FIXTURES =
      List.of(
          "dcgm-exporter-rtx4000ada-1gpu.prom",
          "h100-8gpu-pods.prom",
          "l4-hostname-lowercase.prom",
          "t4-old-namespace.prom",
          "a100-mig.prom",
          "b200-dcgm46-names.prom",
          "g5-sentinels.prom",
          "messy.prom");

  @Provide
  Arbitrary<String> fixtures() {
    return Arbitraries.of(FIXTURES).map(f -> Fixtures.text("dcgm/" + f));
  }

  @Provide
  Arbitrary<List<Mutations.Mutation>> edits() {
    return Mutations.edits();
  }

  @Property(tries = 300)
  void shouldNeverThrowOnRandomText(@ForAll String text) {
    DcgmScrape s = new DcgmParser("n").parse(text, T, null);
    assertThat(s.malformedLines()).isBetween(0, s.lines());
    assertThat(s.problems()).hasSizeLessThanOrEqualTo(DcgmParser.MAX_PROBLEMS);
  }

  @Property(tries = 500)
  void shouldKeepEveryValidSeriesThatSurvivesTheMutation(
      @ForAll("fixtures") String fixture, @ForAll("edits") List<Mutations.Mutation> edits) {
    String mutated = Mutations.apply(fixture, edits);
    DcgmParser parser = new DcgmParser("n");
    DcgmScrape all = parser.parse(mutated, T, null);
    assertThat(all.malformedLines()).isBetween(0, all.lines());
    Map<String, GpuSample> byUuid =
        all.samples().stream()
            .collect(Collectors.toMap(GpuSample::getUuid, Function.identity(), (a, b) -> a));
    assertThat(byUuid).hasSameSizeAs(all.samples());
    for (String line : Mutations.intactLines(fixture, mutated)) {
      DcgmScrape alone = parser.parse(line, T, null);
      if (alone.malformedLines() > 0) {
        continue; // a line that was malformed in the fixture already
      }
      for (GpuSample one : alone.samples()) {
        GpuSample merged = byUuid.get(one.getUuid());
        assertThat(merged).as("GPU of intact line %s", line).isNotNull();
        for (var f : GpuSample.getClassSchema().getFields()) {
          if (f.pos() >= 9 && one.get(f.pos()) != null) { // the metric fields
            assertThat(merged.get(f.pos())).as("%s of intact line %s", f.name(), line).isNotNull();
          }
        }
      }
    }
  }
}
