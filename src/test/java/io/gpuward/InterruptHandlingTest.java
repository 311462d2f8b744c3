package io.gpuward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A thread interrupted while it waits must stay interrupted, or whoever interrupted it (a shutdown,
 * an executor's cancel) is ignored: every {@code catch} of {@code InterruptedException} in the main
 * sources restores the flag ({@code Thread.currentThread().interrupt()}) or throws. Checkstyle
 * cannot see inside a catch block, so this reads the sources: comments and literals are blanked
 * first, so neither a comment nor a string satisfies or trips the check.
 */
class InterruptHandlingTest {

  private static final Path MAIN = Path.of("src/main/java");

  private static final Pattern CATCH = Pattern.compile("\\bcatch\\s*\\(([^)]*)\\)\\s*\\{");
  private static final Pattern INTERRUPTED = Pattern.compile("\\bInterruptedException\\b");
  private static final Pattern RESTORES =
      Pattern.compile("\\bThread\\s*\\.\\s*currentThread\\s*\\(\\s*\\)\\s*\\.\\s*interrupt\\s*\\(");
  private static final Pattern THROWS = Pattern.compile("\\bthrow\\b");

  @Test
  void shouldRestoreTheInterruptOrThrowInEveryInterruptedExceptionCatch() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : javaFiles()) {
      String name = MAIN.relativize(file).toString().replace('\\', '/');
      for (int line : swallowedInterrupts(Files.readString(file))) {
        violations.add(name + ":" + line);
      }
    }
    assertThat(violations)
        .as("catches of InterruptedException that neither restore the flag nor throw")
        .isEmpty();
  }

  @Test
  void shouldFlagACatchThatSwallowsTheInterrupt() {
    String source =
        """
        class A {
          void a() {
            try {
              Thread.sleep(1);
            } catch (InterruptedException e) {
              log.warn("interrupted; Thread.currentThread().interrupt() not called");
              // Thread.currentThread().interrupt(); would be right, throw too
            }
          }
        }
        """;
    assertThat(swallowedInterrupts(source)).containsExactly(5);
  }

  @Test
  void shouldFlagAMultiCatchButNotOtherCatches() {
    String source =
        """
        class A {
          void a() {
            try { x(); } catch (InterruptedException | ExecutionException e) { return; }
            try { x(); } catch (IOException e) { return; }
            try { x(); } catch (final java.lang.InterruptedException e) { if (a) { b(); } }
          }
        }
        """;
    assertThat(swallowedInterrupts(source)).containsExactly(3, 5);
  }

  @Test
  void shouldAcceptRestoringTheFlagOrThrowing() {
    String source =
        """
        class A {
          void a() throws Exception {
            try { x(); } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
            try { x(); } catch (InterruptedException e) {
              if (closing) {
                throw e;
              }
              throw new IllegalStateException("}", e);
            }
            String s = "catch (InterruptedException e) { }";
          }
        }
        """;
    assertThat(swallowedInterrupts(source)).isEmpty();
  }

  /** Lines of catches of InterruptedException whose block neither restores the flag nor throws. */
  static List<Integer> swallowedInterrupts(String source) {
    String code = blankCommentsAndLiterals(source);
    List<Integer> lines = new ArrayList<>();
    Matcher m = CATCH.matcher(code);
    while (m.find()) {
      if (!INTERRUPTED.matcher(m.group(1)).find()) {
        continue;
      }
      String block = code.substring(m.end(), closingBrace(code, m.end()));
      if (!RESTORES.matcher(block).find() && !THROWS.matcher(block).find()) {
        lines.add(lineOf(code, m.start()));
      }
    }
    return lines;
  }

  /** Index of the brace closing the block whose body starts at {@code from}. */
  private static int closingBrace(String code, int from) {
    int depth = 1;
    for (int i = from; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("unbalanced braces after offset " + from);
  }

  /**
   * The source with comments and the insides of string, text-block and char literals replaced by
   * spaces; line breaks are kept, so offsets and line numbers stay those of the source.
   */
  static String blankCommentsAndLiterals(String s) {
    StringBuilder out = new StringBuilder(s);
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("//", i)) {
        i = blank(out, i, endOf(s, "\n", i + 2, 0));
      } else if (s.startsWith("/*", i)) {
        i = blank(out, i, endOf(s, "*/", i + 2, 2));
      } else if (s.startsWith("\"\"\"", i)) {
        i = blank(out, i + 3, endOfLiteral(s, "\"\"\"", i + 3)) + 3;
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        String quote = String.valueOf(s.charAt(i));
        i = blank(out, i + 1, endOfLiteral(s, quote, i + 1)) + 1;
      } else {
        i++;
      }
    }
    return out.toString();
  }

  private static int endOf(String s, String end, int from, int include) {
    int at = s.indexOf(end, from);
    return at < 0 ? s.length() : at + include;
  }

  /** Index of the unescaped {@code quote} ending a literal whose content starts at {@code from}. */
  private static int endOfLiteral(String s, String quote, int from) {
    int i = from;
    while (i < s.length() && !s.startsWith(quote, i)) {
      i += s.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i, s.length());
  }

  /** Spaces over {@code [from, to)}, line breaks kept; returns {@code to}. */
  private static int blank(StringBuilder out, int from, int to) {
    for (int i = from; i < to; i++) {
      if (out.charAt(i) != '\n') {
        out.setCharAt(i, ' ');
      }
    }
    return to;
  }

  private static int lineOf(String s, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (s.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static List<Path> javaFiles() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
