package io.gpuward.exporter;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random damage to real input text, for the parsers' property tests. */
public final class Mutations {
  private Mutations() {}

  /** One edit: drop, duplicate or flip a character, cut, insert a garbage line, drop a line. */
  public record Mutation(int op, double where, char c, String garbage) {}

  /** A few edits. */
  public static Arbitrary<List<Mutation>> edits() {
    Arbitrary<Character> chars =
        Arbitraries.oneOf(
            Arbitraries.chars().ascii(),
            Arbitraries.of('"', '\\', '{', '}', ',', '=', ' ', '\n', '\r', ':', '(', ')', '\''),
            Arbitraries.chars());
    Arbitrary<String> garbage =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(80),
            Arbitraries.strings().withChars("{}\"\\=, #:()[]'0123456789.eE+-").ofMaxLength(40),
            Arbitraries.of(
                "NVRM: Xid (PCI:0000:17:00): ",
                "DCGM_FI_DEV_GPU_TEMP{UUID=\"",
                "6,1,2,-;NVRM: Xid",
                "# HELP",
                "} 1",
                "[ 1.0] NVRM: GPU at PCI:0000:17:00: GPU-"));
    return Combinators.combine(
            Arbitraries.integers().between(0, 5),
            Arbitraries.doubles().between(0, 1),
            chars,
            garbage)
        .as(Mutation::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  /** {@code text} with the edits applied in order. */
  public static String apply(String text, List<Mutation> edits) {
    StringBuilder b = new StringBuilder(text);
    for (Mutation m : edits) {
      int at = (int) Math.min(b.length(), Math.floor(m.where() * (b.length() + 1)));
      switch (m.op()) {
        case 0 -> {
          if (at < b.length()) {
            b.deleteCharAt(at);
          }
        }
        case 1 -> {
          if (at < b.length()) {
            b.insert(at, b.charAt(at));
          }
        }
        case 2 -> {
          if (at < b.length()) {
            b.setCharAt(at, m.c());
          } else {
            b.append(m.c());
          }
        }
        case 3 -> b.setLength(at);
        case 4 -> {
          int eol = b.indexOf("\n", at);
          b.insert(eol < 0 ? b.length() : eol + 1, m.garbage() + "\n");
        }
        default -> {
          int start = b.lastIndexOf("\n", Math.max(0, at - 1)) + 1;
          int eol = b.indexOf("\n", at);
          b.delete(start, eol < 0 ? b.length() : eol + 1);
        }
      }
    }
    return b.toString();
  }

  /** The lines of {@code original} that are still whole lines of {@code mutated}. */
  public static List<String> intactLines(String original, String mutated) {
    Set<String> now = new HashSet<>(Arrays.asList(mutated.split("\n", -1)));
    String[] before = original.split("\n", -1);
    // the last line of a cut text may be a prefix of a line: only lines followed by \n count,
    // plus the mutated text's last line when it is whole in the original as well
    return Arrays.stream(before).filter(now::contains).filter(l -> !l.isEmpty()).toList();
  }
}
