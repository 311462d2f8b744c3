package io.gpuward.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a scenario fault does to a node (the {@code inject} key and its kind-specific fields).
 * Hardware kinds name a GPU by index; {@code for} (where allowed) bounds the fault, after which it
 * clears by itself.
 */
public sealed interface Injection
    permits Injection.Xid,
        Injection.EccDbe,
        Injection.SbeStorm,
        Injection.RowRemapFailure,
        Injection.Thermal,
        Injection.NvlinkErrors,
        Injection.GpuMissing,
        Injection.NotReady,
        Injection.NoRegistration,
        Injection.ContainerError,
        Injection.OperandMissing,
        Injection.AllocatableDrop,
        Injection.TelemetrySilence,
        Injection.Recover,
        Injection.ScaleIn,
        Injection.Hang,
        Injection.OperandCrashLoop,
        Injection.SsmUnregistered,
        Injection.OperandOptOut,
        Injection.DiagFail,
        Injection.ScheduledEvent {

  /** All {@code inject} names, in the order the scenario documentation lists them. */
  List<String> KINDS =
      List.of(
          "xid",
          "ecc-dbe",
          "sbe-storm",
          "row-remap-failure",
          "thermal",
          "nvlink-errors",
          "gpu-missing",
          "not-ready",
          "no-registration",
          "container-error",
          "operand-missing",
          "allocatable-drop",
          "telemetry-silence",
          "recover",
          "scale-in",
          "hang",
          "operand-crashloop",
          "ssm-unregistered",
          "operand-opt-out",
          "diag-fail",
          "scheduled-event");

  /** EC2 scheduled event codes {@code scheduled-event} understands. */
  List<String> EVENT_CODES =
      List.of(
          "instance-retirement",
          "instance-stop",
          "instance-reboot",
          "system-reboot",
          "system-maintenance");

  /**
   * GPU Operator operands {@code operand-missing}, {@code operand-crashloop} and {@code
   * operand-opt-out} understand (label nvidia.com/gpu.deploy.*).
   */
  List<String> OPERANDS =
      List.of(
          "driver",
          "container-toolkit",
          "device-plugin",
          "gpu-feature-discovery",
          "dcgm",
          "dcgm-exporter",
          "operator-validator",
          "mig-manager");

  /** The {@code inject} name. */
  String kind();

  /** The GPU index the fault hits, for GPU-level kinds. */
  default OptionalInt gpu() {
    return OptionalInt.empty();
  }

  /**
   * How long the fault lasts ({@code for}); empty = until recovered, reset, rebooted or replaced.
   */
  default Optional<Duration> lasting() {
    return Optional.empty();
  }

  /**
   * An NVRM Xid on one GPU. XID 79 also drops the GPU off the bus; XIDs whose catalog action is
   * RESET_GPU/REBOOT_NODE/REPLACE_NODE stay as the GPU's last XID until a reset or reboot.
   *
   * @param gpuIndex GPU index
   * @param code XID code
   * @param message free text after the code (default: the usual driver text for that XID)
   * @param pid process id for application XIDs (default: a plausible one)
   * @param process process name for application XIDs (default python3)
   * @param survives what does not fix the GPU ({@code survives:} in the scenario): {@code RESET} —
   *     a GPU reset leaves the XID in place; {@code REBOOT} — neither a reset nor a reboot helps,
   *     the XID comes back {@link #RECURS_AFTER} after every reboot; only a replacement instance is
   *     rid of it. {@code NOTHING} (the default): the usual XID behaviour.
   * @param unhealthy the device plugin's health check marks the GPU unhealthy on this XID ({@code
   *     unhealthy: true}): it leaves the node's allocatable {@code nvidia.com/gpu} until a reset or
   *     reboot clears the XID. The NVIDIA device plugin does this for XIDs it does not take for
   *     application errors; off by default, so a scenario's allocatable changes only where asked.
   */
  record Xid(
      int gpuIndex,
      int code,
      Optional<String> message,
      Optional<Long> pid,
      Optional<String> process,
      Survives survives,
      boolean unhealthy)
      implements Injection {

    /** How long after a reboot an XID that survives reboots shows up again. */
    public static final Duration RECURS_AFTER = Duration.ofSeconds(10);

    /** What a broken GPU survives. */
    public enum Survives {
      NOTHING,
      RESET,
      REBOOT
    }

    public Xid {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(pid, "pid");
      Objects.requireNonNull(process, "process");
      Objects.requireNonNull(survives, "survives");
    }

    public Xid(
        int gpuIndex,
        int code,
        Optional<String> message,
        Optional<Long> pid,
        Optional<String> process,
        Survives survives) {
      this(gpuIndex, code, message, pid, process, survives, false);
    }

    public Xid(
        int gpuIndex,
        int code,
        Optional<String> message,
        Optional<Long> pid,
        Optional<String> process) {
      this(gpuIndex, code, message, pid, process, Survives.NOTHING);
    }

    /** XID {@code code} on GPU {@code gpuIndex} with default text. */
    public Xid(int gpuIndex, int code) {
      this(gpuIndex, code, Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Override
    public String kind() {
      return "xid";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }
  }

  /**
   * An uncorrectable (double-bit) ECC error: volatile and aggregate DBE counters grow, a row remap
   * is pending, and the driver logs XID 48 (then XID 63, the row remapping event).
   *
   * @param gpuIndex GPU index
   */
  record EccDbe(int gpuIndex) implements Injection {
    @Override
    public String kind() {
      return "ecc-dbe";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }
  }

  /**
   * A single-bit ECC storm: the volatile SBE counter grows at {@code ratePerSecond}.
   *
   * @param gpuIndex GPU index
   * @param ratePerSecond SBE errors per second (key {@code rate}, default 200)
   * @param forDuration how long it lasts
   */
  record SbeStorm(int gpuIndex, double ratePerSecond, Optional<Duration> forDuration)
      implements Injection {
    public SbeStorm {
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "sbe-storm";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * A row remap failure (no spare rows): the failure flag is set for good (hardware), the DBE
   * counters grow by one, and the driver logs XID 64.
   *
   * @param gpuIndex GPU index
   */
  record RowRemapFailure(int gpuIndex) implements Injection {
    @Override
    public String kind() {
      return "row-remap-failure";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }
  }

  /**
   * A cooling problem: the GPU temperature ramps up to {@code celsius} over {@code ramp}, holds
   * until {@code for} has passed since the start, then ramps back down over {@code ramp}. Above 87
   * °C the clocks show SW thermal slowdown, above 92 °C HW thermal slowdown. With {@code
   * hwThrottle} (key {@code throttle: hw}) the GPU shows HW thermal slowdown while it holds, at any
   * temperature: the slowdown trips on a hot spot the reported temperature does not show.
   *
   * @param gpuIndex GPU index
   * @param celsius target temperature
   * @param forDuration how long from the start until the ramp down begins (key {@code for}, default
   *     60s)
   * @param ramp ramp up and down time (default 8s)
   * @param hwThrottle HW thermal slowdown while holding, whatever the temperature
   */
  record Thermal(
      int gpuIndex, double celsius, Duration forDuration, Duration ramp, boolean hwThrottle)
      implements Injection {
    public Thermal {
      Objects.requireNonNull(forDuration, "forDuration");
      Objects.requireNonNull(ramp, "ramp");
    }

    /** A thermal fault whose slowdown follows the temperature. */
    public Thermal(int gpuIndex, double celsius, Duration forDuration, Duration ramp) {
      this(gpuIndex, celsius, forDuration, ramp, false);
    }

    @Override
    public String kind() {
      return "thermal";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }

    @Override
    public Optional<Duration> lasting() {
      return Optional.of(forDuration);
    }
  }

  /**
   * NVLink errors: CRC flit/data counters grow at {@code ratePerSecond}, replay errors at a tenth
   * of it, recovery errors now and then, and the driver logs XID 74 at the start.
   *
   * @param gpuIndex GPU index
   * @param ratePerSecond CRC errors per second (key {@code rate}, default 50)
   * @param forDuration how long it lasts
   */
  record NvlinkErrors(int gpuIndex, double ratePerSecond, Optional<Duration> forDuration)
      implements Injection {
    public NvlinkErrors {
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "nvlink-errors";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * The GPU disappears from telemetry without an XID (and the device plugin drops it from
   * allocatable) until reboot.
   *
   * @param gpuIndex GPU index
   * @param forDuration how long it lasts
   */
  record GpuMissing(int gpuIndex, Optional<Duration> forDuration) implements Injection {
    public GpuMissing {
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "gpu-missing";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * The kubelet reports Ready=False (reason KubeletNotReady).
   *
   * @param message condition message (default: the CNI-not-initialised text)
   * @param forDuration how long it lasts
   */
  record NotReady(Optional<String> message, Optional<Duration> forDuration) implements Injection {
    public NotReady {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "not-ready";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * The node never registers (at the start) or loses its Node object (later): inventory says
   * registered=false, no kube events and no telemetry. On a whole node group, replacements do not
   * register either.
   */
  record NoRegistration() implements Injection {
    @Override
    public String kind() {
      return "no-registration";
    }
  }

  /**
   * Every GPU pod start on the node fails with {@code message} (driver root, toolkit, CDI); each
   * pod retries with back-off. On a whole node group it is configuration: replacements fail too.
   *
   * @param message the container start error text
   * @param reason event reason (default FailedCreatePodSandBox for sandbox errors, else Failed)
   * @param forDuration how long it lasts
   */
  record ContainerError(String message, Optional<String> reason, Optional<Duration> forDuration)
      implements Injection {
    public ContainerError {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "container-error";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * A GPU Operator operand is missing from the node (its pod goes away while its {@code
   * nvidia.com/gpu.deploy.*} label still wants it), or, with {@code unexpected} (or mig-manager on
   * a GPU without MIG), present where it does not belong. A missing device plugin takes allocatable
   * GPUs to 0 after {@code grace}; a missing dcgm-exporter stops GPU samples.
   *
   * @param operand operand name, one of {@link #OPERANDS}
   * @param unexpected add the operand instead of removing it
   * @param grace delay before allocatable drops when the device plugin is missing (default 30s)
   * @param forDuration how long it lasts
   */
  record OperandMissing(
      String operand, boolean unexpected, Duration grace, Optional<Duration> forDuration)
      implements Injection {
    public OperandMissing {
      Objects.requireNonNull(operand, "operand");
      Objects.requireNonNull(grace, "grace");
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "operand-missing";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * Allocatable {@code nvidia.com/gpu} drops below capacity.
   *
   * @param allocatable the new allocatable count (default one below the GPU count)
   * @param forDuration how long it lasts
   */
  record AllocatableDrop(OptionalInt allocatable, Optional<Duration> forDuration)
      implements Injection {
    public AllocatableDrop {
      Objects.requireNonNull(allocatable, "allocatable");
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "allocatable-drop";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * The node's exporter goes silent (no GPU samples, no heartbeats) for {@code for}.
   *
   * @param forDuration how long (key {@code for}, default 60s)
   */
  record TelemetrySilence(Duration forDuration) implements Injection {
    public TelemetrySilence {
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "telemetry-silence";
    }

    @Override
    public Optional<Duration> lasting() {
      return Optional.of(forDuration);
    }
  }

  /**
   * Clears every fault injected on the node (a lost GPU comes back, a thermal fault ramps down); on
   * a whole node group also its node-group-wide configuration faults. Counters keep their values
   * (they never go down outside a reset or reboot).
   */
  record Recover() implements Injection {
    @Override
    public String kind() {
      return "recover";
    }
  }

  /**
   * The node group scales in: the instance is terminated through its Auto Scaling group with the
   * desired capacity decremented, its Node deleted, and no replacement launched.
   */
  record ScaleIn() implements Injection {
    @Override
    public String kind() {
      return "scale-in";
    }
  }

  /**
   * The node hangs: its kubelet stops posting status and its exporter stops scraping and
   * heartbeating. After the node controller's grace the Node's Ready condition goes Unknown
   * (NodeStatusUnknown). With {@code for} the node comes back on the same boot; a reboot ends it
   * with a new boot.
   *
   * @param forDuration how long it lasts
   */
  record Hang(Optional<Duration> forDuration) implements Injection {
    /** The node lifecycle controller's grace before it marks a silent node's Ready Unknown. */
    public static final Duration NODE_MONITOR_GRACE = Duration.ofSeconds(40);

    public Hang {
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "hang";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * A GPU Operator operand's pod on the node crash-loops: its container is waiting in
   * CrashLoopBackOff with a rising restart count. A crash-looping device plugin takes allocatable
   * GPUs to 0 after 30 s, as a missing one does; a crash-looping dcgm-exporter refuses scrapes.
   *
   * @param operand operand name, one of {@link #OPERANDS}
   * @param forDuration how long it lasts
   */
  record OperandCrashLoop(String operand, Optional<Duration> forDuration) implements Injection {
    public OperandCrashLoop {
      Objects.requireNonNull(operand, "operand");
      Objects.requireNonNull(forDuration, "forDuration");
    }

    @Override
    public String kind() {
      return "operand-crashloop";
    }

    @Override
    public Optional<Duration> lasting() {
      return forDuration;
    }
  }

  /**
   * The instance's SSM agent never registers: Systems Manager has no record of it (absent from
   * DescribeInstanceInformation).
   */
  record SsmUnregistered() implements Injection {
    @Override
    public String kind() {
      return "ssm-unregistered";
    }
  }

  /**
   * An admin opts the node out of a GPU Operator operand: its {@code nvidia.com/gpu.deploy.*} label
   * becomes {@code false} and the operator removes the operand's pod. Not a fault.
   *
   * @param operand operand name, one of {@link #OPERANDS}
   */
  record OperandOptOut(String operand) implements Injection {
    public OperandOptOut {
      Objects.requireNonNull(operand, "operand");
    }

    @Override
    public String kind() {
      return "operand-opt-out";
    }
  }

  /**
   * The node's next DCGM diagnostics ({@code dcgmi diag}) fail on one GPU, or with {@code hang}
   * never finish. Telemetry is untouched: a GPU can answer and still fail its diagnostics.
   *
   * @param gpuIndex the GPU the failing test names
   * @param hang the run never finishes instead of failing
   */
  record DiagFail(int gpuIndex, boolean hang) implements Injection {
    @Override
    public String kind() {
      return "diag-fail";
    }

    @Override
    public OptionalInt gpu() {
      return OptionalInt.of(gpuIndex);
    }
  }

  /**
   * EC2 schedules an event on the node's instance, starting {@code in} after the fault's time
   * (NotBefore). At NotBefore, if the instance still runs, EC2 carries it out: a retirement or stop
   * takes the instance away (its group launches another), a reboot or maintenance reboots it; the
   * event then shows as completed. Rebooting the instance first completes an instance-reboot.
   *
   * @param code one of {@link #EVENT_CODES}
   * @param in how long after the fault the event's window starts
   */
  record ScheduledEvent(String code, Duration in) implements Injection {
    public ScheduledEvent {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(in, "in");
    }

    @Override
    public String kind() {
      return "scheduled-event";
    }
  }
}
