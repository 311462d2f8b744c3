package io.gpuward.exporter.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.XidEvent;
import io.gpuward.exporter.Fixtures;
import io.gpuward.exporter.Mutations;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random, truncated and mutated kernel logs: no exception escapes, no valid XID is lost. */
class KmsgParserPropertyTest {
  static final Instant NOW = Instant.parse("2025-11-24T12:00:00Z");
  static final Instant BOOTED = Instant.parse("2025-11-24T09:00:00Z");

  private static KmsgParser parser() {
    return new KmsgParser(
        "n", "7c1d5f8e-2b3a", BOOTED, ZoneOffset.UTC, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Provide
  Arbitrary<String> fixtures() {
    return Arbitraries.of("devkmsg.txt", "dmesg.txt", "dmesg-T.txt", "syslog.txt")
        .map(f -> Fixtures.text("kmsg/" + f));
  }

  @Provide
  Arbitrary<List<Mutations.Mutation>> edits() {
    return Mutations.edits();
  }

  @Provide
  Arbitrary<String> xidish() {
    return Arbitraries.strings()
        .withChars("NVRM: Xid(PCI)0123456789abcdef,.'\"<>=pidname[] \t;-")
        .ofMaxLength(120)
        .map(s -> "NVRM: Xid " + s);
  }

  @Property(tries = 300)
  void shouldNeverThrowOnRandomLines(@ForAll String line) {
    KmsgParser p = parser();
    p.parseLine(line);
    p.parse(line);
    assertThat(p.problems()).noneMatch(m -> m.contains("cannot parse"));
  }

  @Property(tries = 300)
  void shouldNeverThrowOnXidLikeLines(@ForAll("xidish") String line) {
    KmsgParser p = parser();
    p.parseLine(line).ifPresent(e -> assertThat(e.getXid()).isPositive());
    assertThat(p.problems()).noneMatch(m -> m.contains("cannot parse"));
  }

  @Property(tries = 500)
  void shouldKeepEveryXidLineThatSurvivesTheMutation(
      @ForAll("fixtures") String fixture, @ForAll("edits") List<Mutations.Mutation> edits) {
    String mutated = Mutations.apply(fixture, edits);
    KmsgParser p = parser();
    Map<String, XidEvent> byId =
        p.parse(mutated).stream()
            .collect(Collectors.toMap(XidEvent::getEventId, Function.identity(), (a, b) -> a));
    assertThat(p.problems()).noneMatch(m -> m.contains("cannot parse"));
    for (String line : Mutations.intactLines(fixture, mutated)) {
      var alone = parser().parseLine(line);
      if (alone.isEmpty()) {
        continue;
      }
      XidEvent e = byId.get(alone.get().getEventId());
      assertThat(e).as("XID of intact line %s", line).isNotNull();
      assertThat(e.getXid()).isEqualTo(alone.get().getXid());
      assertThat(e.getPciBusId()).isEqualTo(alone.get().getPciBusId());
      assertThat(e.getEventTime()).isEqualTo(alone.get().getEventTime());
      assertThat(e.getMessage()).isEqualTo(alone.get().getMessage());
    }
  }
}
