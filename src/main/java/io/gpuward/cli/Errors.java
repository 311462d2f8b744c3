package io.gpuward.cli;

import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;

/** One readable line for a failure: the messages along the cause chain, no stack trace. */
final class Errors {
  private Errors() {}

  static String describe(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = message(c);
      if (m != null && !m.isBlank() && !b.toString().contains(m)) {
        if (!b.isEmpty()) {
          b.append(": ");
        }
        b.append(m);
      }
    }
    return b.isEmpty() ? t.getClass().getSimpleName() : b.toString();
  }

  private static String message(Throwable c) {
    if (c instanceof NoSuchFileException e) {
      return "no such file: " + e.getFile();
    }
    if (c instanceof FileNotFoundException e) {
      return "file not found: " + e.getMessage();
    }
    return c.getMessage();
  }
}
