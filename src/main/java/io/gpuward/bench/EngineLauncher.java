package io.gpuward.bench;

import io.gpuward.config.GpuwardConfig;

/**
 * How to run the verdict engine as a child process with a given configuration, so that the bench
 * can kill it with SIGKILL. The command line lives with the CLI, above this package.
 */
@FunctionalInterface
public interface EngineLauncher {
  /** A process that runs the engine with {@code cfg} until killed; not yet started. */
  ProcessBuilder command(GpuwardConfig cfg);
}
