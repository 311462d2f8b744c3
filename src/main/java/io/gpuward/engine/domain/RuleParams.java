package io.gpuward.engine.domain;

import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Typed sections of {@code rules.yaml} that are small enough to share a file. */
public final class RuleParams {
  private RuleParams() {}

  /**
   * The event-time window every GPU sample rule is evaluated over, and how long a GPU's last
   * counter readings are carried into its next window ({@link CounterCarry}; zero carries none).
   */
  public record SampleWindow(Duration size, Duration grace, Duration counterCarry) {
    /** The carry when rules.yaml names none: a missed scrape at a 60 s interval. */
    public static final Duration DEFAULT_COUNTER_CARRY = Duration.ofMinutes(2);

    public SampleWindow {
      if (size.isZero() || size.isNegative() || grace.isNegative()) {
        throw new IllegalArgumentException("sampleWindow.size must be positive, grace >= 0");
      }
      if (counterCarry.isNegative()) {
        throw new IllegalArgumentException("sampleWindow.counterCarry must be >= 0");
      }
    }

    public SampleWindow(Duration size, Duration grace) {
      this(size, grace, DEFAULT_COUNTER_CARRY);
    }
  }

  /** Node-level rules' windows and grace periods. */
  public record Node(
      Duration notReadyJoinWindow,
      Duration notReadyJoinGrace,
      Duration allocatableGrace,
      Duration telemetryStaleAfter,
      Duration registrationGrace,
      Duration operandGrace,
      Duration unknownNodeGrace) {
    /** {@code unknownNodeGrace} when rules.yaml does not set it. */
    public static final Duration DEFAULT_UNKNOWN_NODE_GRACE = Duration.ofMinutes(2);
  }

  /** One container start failure pattern that means a driver root / toolkit / CDI problem. */
  public record ContainerError(String id, Pattern match, String setting, String fix) {}

  /**
   * GPU Operator operand expectations.
   *
   * @param allocatableOperands operands without which {@code nvidia.com/gpu} cannot be allocatable:
   *     while one is missing on a GPU Operator–managed node, an allocatable drop is the operator's
   *     (configuration) fault, GPU_OPERATOR_DEGRADED, not GPU_ALLOCATABLE_MISMATCH
   * @param mpsOnlyOperands operands expected to run only where MPS is enabled ({@code
   *     nvidia.com/mps.capable=true}), judged like required ones there
   */
  public record GpuOperator(
      List<String> requiredOperands,
      List<String> migOnlyOperands,
      String labelPrefix,
      List<String> allocatableOperands,
      List<String> mpsOnlyOperands) {
    public GpuOperator {
      requiredOperands = List.copyOf(requiredOperands);
      migOnlyOperands = List.copyOf(migOnlyOperands);
      allocatableOperands = List.copyOf(allocatableOperands);
      mpsOnlyOperands = List.copyOf(mpsOnlyOperands);
    }

    public GpuOperator(
        List<String> requiredOperands,
        List<String> migOnlyOperands,
        String labelPrefix,
        List<String> allocatableOperands) {
      this(requiredOperands, migOnlyOperands, labelPrefix, allocatableOperands, List.of());
    }

    public GpuOperator(
        List<String> requiredOperands, List<String> migOnlyOperands, String labelPrefix) {
      this(requiredOperands, migOnlyOperands, labelPrefix, List.of());
    }
  }

  /** Fleet correlation thresholds (both must be met). */
  public record Correlation(Duration window, int minNodes, int minPercent, List<String> scopes) {
    public Correlation {
      if (minNodes < 2) {
        throw new IllegalArgumentException(
            "correlation.minNodes must be >= 2 (one node is never an incident)");
      }
      if (minPercent < 0 || minPercent > 100) {
        throw new IllegalArgumentException("correlation.minPercent must be 0..100");
      }
      scopes = List.copyOf(scopes);
    }
  }

  /** When repeated application XIDs on one GPU stop being the application's fault. */
  public record AppRepeat(int count, Duration within, RemediationAction action, Severity severity) {
    public AppRepeat {
      if (count < 2) {
        throw new IllegalArgumentException("xid.appRepeat.count must be >= 2");
      }
    }
  }
}
