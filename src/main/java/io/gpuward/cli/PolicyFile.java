package io.gpuward.cli;

import io.gpuward.remediation.RemediationPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The remediation policy a command's {@code --policy FILE} names, or the built-in one. */
final class PolicyFile {
  private PolicyFile() {}

  /** Loads and validates {@code file}; a bad one is a usage error naming the file and the key. */
  static RemediationPolicy load(CommandSpec spec, Path file) {
    if (file == null) {
      return RemediationPolicy.load();
    }
    try {
      return RemediationPolicy.load(file);
    } catch (RuntimeException e) {
      throw new ParameterException(
          spec.commandLine(), "--policy " + file + ": " + Errors.describe(e));
    }
  }
}
