package io.gpuward.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.config.Durations;
import io.gpuward.contract.FaultClasses;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Remediation policy data ({@code streams/remediation.yaml}): the steps of each action and the
 * drain deadline. Versioned; a bad value fails start naming the key.
 */
public record RemediationPolicy(
    String version,
    Map<RemediationAction, List<RemediationAction>> steps,
    Duration drainDeadline,
    Map<String, Budgets.Limits> budgets,
    long observeOnlyLag,
    Duration correlationSettle,
    Ladder ladder,
    RepeatOffender repeatOffender,
    Duration reescalateAfter,
    Map<FaultClass, FollowUp> followUps,
    NodeAllowList nodes,
    Map<String, CordonCeiling.Limit> cordonCeiling,
    Validate validate,
    GpuReset gpuReset,
    PerGpu perGpu) {

  /*
   * The defaults of a key the policy file leaves out, in one place. They equal the shipped
   * streams/remediation.yaml (RemediationPolicyDefaultsTest holds them to it): a policy file that
   * drops a key must not change what the remediator does.
   */

  /** How long an unresolved configuration fault waits before its scope is escalated again. */
  public static final Duration DEFAULT_REESCALATE_AFTER = Duration.ofHours(24);

  /** How long a drain may take before the step fails. */
  public static final Duration DEFAULT_DRAIN_DEADLINE = Duration.ofMinutes(2);

  /** Verdicts behind the head of the verdict topic beyond which the remediator only observes. */
  public static final long DEFAULT_OBSERVE_ONLY_LAG = 1000;

  /** How long a disruptive step waits for the engine to correlate a storm. */
  public static final Duration DEFAULT_CORRELATION_SETTLE = Duration.ofSeconds(15);

  public static final String RESOURCE = "/gpuward/streams/remediation.yaml";

  /**
   * Labels that mark a GPU node when the policy names none: GPU Feature Discovery's (GPU Operator)
   * and Karpenter's.
   */
  public static final List<String> DEFAULT_NODE_SELECTORS =
      List.of("nvidia.com/gpu.present=true", "karpenter.k8s.aws/instance-gpu-manufacturer=nvidia");

  /**
   * The escalation ladder of one fault session: each rung is verified (the verdict clears, or for
   * REPLACE the node is gone) within its deadline before the next rung is planned.
   *
   * @param rungs in order, e.g. RESET_GPU, REBOOT, REPLACE, ESCALATE
   * @param verifyDeadline per rung, how long after it succeeded it must be verified
   * @param recheck how often live state is looked at again while a rung awaits verification
   */
  public record Ladder(
      List<RemediationAction> rungs,
      Map<RemediationAction, Duration> verifyDeadline,
      Duration recheck) {
    public static final Ladder DEFAULT =
        new Ladder(
            List.of(
                RemediationAction.RESET_GPU,
                RemediationAction.REBOOT,
                RemediationAction.REPLACE,
                RemediationAction.ESCALATE),
            Map.of(
                RemediationAction.RESET_GPU, Duration.ofSeconds(75),
                RemediationAction.REBOOT, Duration.ofMinutes(5),
                RemediationAction.REPLACE, Duration.ofMinutes(15)),
            Duration.ofSeconds(5));

    public Ladder {
      rungs = List.copyOf(rungs);
      verifyDeadline = Map.copyOf(verifyDeadline);
    }

    /** Position of {@code a} on the ladder, -1 when it is not a rung. */
    public int indexOf(RemediationAction a) {
      return rungs.indexOf(a);
    }

    public Duration deadline(RemediationAction rung) {
      return verifyDeadline.getOrDefault(rung, Duration.ofMinutes(5));
    }
  }

  /**
   * A node whose disruptive remediation was verified {@code faults - 1} times within {@code within}
   * before a new fault goes straight to REPLACE. {@code faults} 0 turns it off.
   */
  public record RepeatOffender(int faults, Duration within) {
    public static final RepeatOffender DEFAULT = new RepeatOffender(2, Duration.ofHours(24));
  }

  /**
   * Which fault classes are validated with DCGM diagnostics after a repair rung (GPU reset, reboot)
   * and before the node is uncordoned, at which {@code dcgmi diag -r} level, and how long the
   * diagnostics may run before they count as failed.
   *
   * @param classes the fault classes validated; empty turns validation off
   * @param level the DCGM run level, 1 to 3
   * @param timeout how long a run may take; past it the node does not return to service
   */
  public record Validate(Set<FaultClass> classes, int level, Duration timeout) {
    /** No validation: what a policy file without a {@code validate} section gets. */
    public static final Validate OFF = new Validate(Set.of(), 2, defaultTimeout(2));

    public Validate {
      classes = classes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(classes));
      if (level < 1 || level > 3) {
        throw new IllegalArgumentException("validate.level must be 1, 2 or 3, not " + level);
      }
      Objects.requireNonNull(timeout, "timeout");
    }

    public boolean appliesTo(FaultClass c) {
      return classes.contains(c);
    }

    /**
     * A run level's default timeout: NVIDIA documents level 1 as seconds, level 2 as about two
     * minutes and level 3 as up to half an hour on an 8-GPU node; each gets about five times that
     * (a loaded node runs slower), so a run that is merely slow is not failed.
     */
    public static Duration defaultTimeout(int level) {
      return switch (level) {
        case 1 -> Duration.ofMinutes(2);
        case 2 -> Duration.ofMinutes(10);
        default -> Duration.ofMinutes(60);
      };
    }
  }

  /**
   * How a GPU is reset, by the node's OS image family ({@code status.nodeInfo.osImage}): through
   * SSM on the instance, or through a Kubernetes Job on the node. Bottlerocket's SSM shell runs in
   * its control container, which has neither nvidia-smi nor the GPUs, so its resets need the Job.
   *
   * @param defaultPath the path of a family {@code byImage} does not name (and of an unknown image)
   * @param byImage per image family
   */
  public record GpuReset(GpuResetPath defaultPath, Map<ImageFamily, GpuResetPath> byImage) {
    /** SSM, and a Job on Bottlerocket: what the shipped policy file says. */
    public static final GpuReset DEFAULT =
        new GpuReset(GpuResetPath.SSM, Map.of(ImageFamily.BOTTLEROCKET, GpuResetPath.JOB));

    /** Every image through SSM. */
    public static final GpuReset SSM_ONLY = new GpuReset(GpuResetPath.SSM, Map.of());

    public GpuReset {
      Objects.requireNonNull(defaultPath, "defaultPath");
      byImage = Map.copyOf(byImage);
    }

    /** The path for a node whose {@code status.nodeInfo.osImage} is {@code osImage}. */
    public GpuResetPath pathFor(String osImage) {
      return byImage.getOrDefault(ImageFamily.of(osImage), defaultPath);
    }
  }

  /**
   * Which fault classes drain only the pods of the verdict's GPUs instead of the whole node, when
   * the verdict names each GPU's pods ({@code GpuRef.pods}); any GPU whose pods are unknown drains
   * the whole node. Only faults confined to one GPU belong here: never a GPU lost from the bus, a
   * node NotReady or a configuration fault.
   *
   * @param classes the fault classes drained per GPU; empty turns it off
   */
  public record PerGpu(Set<FaultClass> classes) {
    /** Off: what the shipped policy file and a file without a {@code perGpu} section get. */
    public static final PerGpu OFF = new PerGpu(Set.of());

    /** Fault classes whose fault may be confined to one GPU, the only ones allowed. */
    public static final Set<FaultClass> ALLOWED =
        Set.copyOf(
            EnumSet.of(
                FaultClass.GPU_XID_FATAL,
                FaultClass.GPU_MEMORY_DEGRADED,
                FaultClass.GPU_THERMAL,
                FaultClass.NVLINK_DEGRADED,
                FaultClass.APP_XID));

    public PerGpu {
      classes = classes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(classes));
      for (FaultClass c : classes) {
        if (!ALLOWED.contains(c)) {
          throw new IllegalArgumentException(
              "perGpu.classes: " + c + " is not confined to one GPU (allowed: " + ALLOWED + ")");
        }
      }
    }

    public boolean appliesTo(FaultClass c) {
      return classes.contains(c);
    }
  }

  /**
   * What a fault class whose recommended action is CORDON gets when its verdict is still open
   * {@code after} its cordon succeeded: {@code action}, a rung of the ladder it then climbs (e.g.
   * an allocatable drop: CORDON, then REBOOT; NVLink errors: CORDON, then RESET_GPU).
   */
  public record FollowUp(Duration after, RemediationAction action) {}

  public RemediationPolicy {
    steps = Map.copyOf(steps);
    budgets = Map.copyOf(budgets);
    followUps = Map.copyOf(followUps);
    cordonCeiling = Map.copyOf(cordonCeiling);
    Objects.requireNonNull(nodes, "nodes");
    Objects.requireNonNull(validate, "validate");
    Objects.requireNonNull(gpuReset, "gpuReset");
    Objects.requireNonNull(perGpu, "perGpu");
    if (reescalateAfter == null || reescalateAfter.isNegative()) {
      throw new IllegalArgumentException("reescalateAfter must be >= 0 (0 = escalate once)");
    }
  }

  /** A policy that drains whole nodes only ({@link PerGpu#OFF}). */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle,
      Ladder ladder,
      RepeatOffender repeatOffender,
      Duration reescalateAfter,
      Map<FaultClass, FollowUp> followUps,
      NodeAllowList nodes,
      Map<String, CordonCeiling.Limit> cordonCeiling,
      Validate validate,
      GpuReset gpuReset) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        ladder,
        repeatOffender,
        reescalateAfter,
        followUps,
        nodes,
        cordonCeiling,
        validate,
        gpuReset,
        PerGpu.OFF);
  }

  /** A policy with the default GPU reset paths ({@link GpuReset#DEFAULT}). */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle,
      Ladder ladder,
      RepeatOffender repeatOffender,
      Duration reescalateAfter,
      Map<FaultClass, FollowUp> followUps,
      NodeAllowList nodes,
      Map<String, CordonCeiling.Limit> cordonCeiling,
      Validate validate) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        ladder,
        repeatOffender,
        reescalateAfter,
        followUps,
        nodes,
        cordonCeiling,
        validate,
        GpuReset.DEFAULT);
  }

  /** A policy that validates no repair (the key left out of a policy file). */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle,
      Ladder ladder,
      RepeatOffender repeatOffender,
      Duration reescalateAfter,
      Map<FaultClass, FollowUp> followUps,
      NodeAllowList nodes,
      Map<String, CordonCeiling.Limit> cordonCeiling) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        ladder,
        repeatOffender,
        reescalateAfter,
        followUps,
        nodes,
        cordonCeiling,
        Validate.OFF);
  }

  /**
   * A policy that may touch any node and has no cordon ceiling (the shipped policy file sets both).
   */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle,
      Ladder ladder,
      RepeatOffender repeatOffender,
      Duration reescalateAfter,
      Map<FaultClass, FollowUp> followUps) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        ladder,
        repeatOffender,
        reescalateAfter,
        followUps,
        NodeAllowList.ANY,
        Map.of());
  }

  /** A policy with the default re-escalation period and no follow-ups. */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle,
      Ladder ladder,
      RepeatOffender repeatOffender) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        ladder,
        repeatOffender,
        DEFAULT_REESCALATE_AFTER,
        Map.of());
  }

  /** A policy with the default ladder and repeat-offender rule. */
  public RemediationPolicy(
      String version,
      Map<RemediationAction, List<RemediationAction>> steps,
      Duration drainDeadline,
      Map<String, Budgets.Limits> budgets,
      long observeOnlyLag,
      Duration correlationSettle) {
    this(
        version,
        steps,
        drainDeadline,
        budgets,
        observeOnlyLag,
        correlationSettle,
        Ladder.DEFAULT,
        RepeatOffender.DEFAULT);
  }

  /** A copy with another ladder. */
  public RemediationPolicy withLadder(Ladder l) {
    return copy(p -> p.ladder = l);
  }

  /** A copy that touches only the nodes {@code n} allows. */
  public RemediationPolicy withNodes(NodeAllowList n) {
    return copy(p -> p.nodes = n);
  }

  /** A copy with another cordon ceiling ({@code global}, {@code nodegroup}). */
  public RemediationPolicy withCordonCeiling(Map<String, CordonCeiling.Limit> c) {
    return copy(p -> p.cordonCeiling = c);
  }

  /** A copy with another re-escalation period for configuration faults (0 = escalate once). */
  public RemediationPolicy withReescalateAfter(Duration d) {
    return copy(p -> p.reescalateAfter = d);
  }

  /** A copy that validates repairs as {@code v} says. */
  public RemediationPolicy withValidate(Validate v) {
    return copy(p -> p.validate = v);
  }

  /** A copy that resets GPUs as {@code g} says. */
  public RemediationPolicy withGpuReset(GpuReset g) {
    return copy(p -> p.gpuReset = g);
  }

  /** A copy that drains the classes of {@code g} per GPU. */
  public RemediationPolicy withPerGpu(PerGpu g) {
    return copy(p -> p.perGpu = g);
  }

  /** This policy with the parts {@code change} sets, validated as any policy is. */
  private RemediationPolicy copy(Consumer<Parts> change) {
    Parts p = new Parts(this);
    change.accept(p);
    return p.build();
  }

  /** A policy's parts, for a copy with some of them changed. */
  private static final class Parts {
    private final String version;
    private final Map<RemediationAction, List<RemediationAction>> steps;
    private final Duration drainDeadline;
    private final Map<String, Budgets.Limits> budgets;
    private final long observeOnlyLag;
    private final Duration correlationSettle;
    private final RepeatOffender repeatOffender;
    private final Map<FaultClass, FollowUp> followUps;
    private Ladder ladder;
    private Duration reescalateAfter;
    private NodeAllowList nodes;
    private Map<String, CordonCeiling.Limit> cordonCeiling;
    private Validate validate;
    private GpuReset gpuReset;
    private PerGpu perGpu;

    Parts(RemediationPolicy r) {
      version = r.version;
      steps = r.steps;
      drainDeadline = r.drainDeadline;
      budgets = r.budgets;
      observeOnlyLag = r.observeOnlyLag;
      correlationSettle = r.correlationSettle;
      ladder = r.ladder;
      repeatOffender = r.repeatOffender;
      reescalateAfter = r.reescalateAfter;
      followUps = r.followUps;
      nodes = r.nodes;
      cordonCeiling = r.cordonCeiling;
      validate = r.validate;
      gpuReset = r.gpuReset;
      perGpu = r.perGpu;
    }

    RemediationPolicy build() {
      return new RemediationPolicy(
          version,
          steps,
          drainDeadline,
          budgets,
          observeOnlyLag,
          correlationSettle,
          ladder,
          repeatOffender,
          reescalateAfter,
          followUps,
          nodes,
          cordonCeiling,
          validate,
          gpuReset,
          perGpu);
    }
  }

  /** The steps that carry out {@code action}, in order. */
  public List<RemediationAction> stepsFor(RemediationAction action) {
    return steps.getOrDefault(action, List.of(RemediationAction.ESCALATE));
  }

  public static RemediationPolicy load() {
    try (InputStream in = RemediationPolicy.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("remediation policy " + RESOURCE + " missing");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read remediation policy", e);
    }
  }

  public static RemediationPolicy load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read remediation policy " + file, e);
    }
  }

  static RemediationPolicy parse(InputStream in) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
    String version = root.path("version").asText("");
    if (version.isBlank()) {
      throw new IllegalArgumentException("remediation.yaml: version is required");
    }
    Map<RemediationAction, List<RemediationAction>> steps = steps(root.path("steps"));
    Duration drain;
    try {
      drain =
          root.has("drainDeadline")
              ? Durations.parse(root.path("drainDeadline").asText())
              : DEFAULT_DRAIN_DEADLINE;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("remediation.yaml: drainDeadline: " + e.getMessage(), e);
    }
    Map<String, Budgets.Limits> budgets = budgets(root.path("budgets"));
    long lag = root.path("observeOnlyLag").asLong(DEFAULT_OBSERVE_ONLY_LAG);
    if (lag < 1) {
      throw new IllegalArgumentException("remediation.yaml: observeOnlyLag must be >= 1");
    }
    Duration settle;
    try {
      settle =
          root.has("correlationSettle")
              ? Durations.parse(root.path("correlationSettle").asText())
              : DEFAULT_CORRELATION_SETTLE;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "remediation.yaml: correlationSettle: " + e.getMessage(), e);
    }
    return new RemediationPolicy(
        version,
        steps,
        drain,
        budgets,
        lag,
        settle,
        ladder(root.path("ladder")),
        repeatOffender(root.path("repeatOffender")),
        reescalateAfter(root.path("reescalateAfter")),
        followUps(root.path("followUp")),
        nodes(root.path("nodes")),
        cordonCeiling(root.path("cordonCeiling")),
        validate(root.path("validate")),
        gpuReset(root.path("gpuReset")),
        perGpu(root.path("perGpu")));
  }

  private static Map<RemediationAction, List<RemediationAction>> steps(JsonNode n) {
    Map<RemediationAction, List<RemediationAction>> steps = new EnumMap<>(RemediationAction.class);
    var it = n.fields();
    while (it.hasNext()) {
      var e = it.next();
      RemediationAction action = action(e.getKey(), "steps." + e.getKey());
      List<RemediationAction> list = new ArrayList<>();
      int i = 0;
      for (JsonNode s : e.getValue()) {
        list.add(action(s.asText(), "steps." + e.getKey() + "[" + i++ + "]"));
      }
      steps.put(action, List.copyOf(list));
    }
    return steps;
  }

  private static Map<String, Budgets.Limits> budgets(JsonNode n) {
    Map<String, Budgets.Limits> budgets = new HashMap<>();
    var b = n.fields();
    while (b.hasNext()) {
      var e = b.next();
      String key = "remediation.yaml: budgets." + e.getKey();
      if (!Set.of("global", "nodegroup", "zone").contains(e.getKey())) {
        throw new IllegalArgumentException(key + ": scope must be global, nodegroup or zone");
      }
      JsonNode l = e.getValue();
      budgets.put(
          e.getKey(),
          new Budgets.Limits(
              nonNegative(l, "maxConcurrent", key),
              percent(l, "maxConcurrentPercent", key),
              nonNegative(l, "maxPerHour", key),
              percent(l, "maxPerHourPercent", key)));
    }
    return budgets;
  }

  /**
   * {@code nodes}: label selectors (any one selects a node) and whether a GPU instance type selects
   * one. Missing: GPU nodes only ({@link #DEFAULT_NODE_SELECTORS}, GPU instance types).
   */
  static NodeAllowList nodes(JsonNode n) {
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    Predicate<String> gpuType = t -> types.find(t).map(InstanceType::hasNvidiaGpu).orElse(false);
    if (n.isMissingNode() || n.isNull()) {
      return new NodeAllowList(
          DEFAULT_NODE_SELECTORS.stream().map(LabelSelector::parse).toList(), true, gpuType);
    }
    List<LabelSelector> selectors = new ArrayList<>();
    int i = 0;
    for (JsonNode s : n.path("selectors")) {
      String key = "remediation.yaml: nodes.selectors[" + i++ + "]";
      try {
        selectors.add(LabelSelector.parse(s.asText()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
    JsonNode gpu = n.path("gpuInstanceTypes");
    if (!gpu.isMissingNode() && !gpu.isBoolean()) {
      throw new IllegalArgumentException(
          "remediation.yaml: nodes.gpuInstanceTypes must be true/false");
    }
    try {
      return new NodeAllowList(selectors, gpu.asBoolean(false), gpuType);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("remediation.yaml: nodes: " + e.getMessage(), e);
    }
  }

  private static Map<String, CordonCeiling.Limit> cordonCeiling(JsonNode n) {
    Map<String, CordonCeiling.Limit> out = new HashMap<>();
    var it = n.fields();
    while (it.hasNext()) {
      var e = it.next();
      String key = "remediation.yaml: cordonCeiling." + e.getKey();
      if (!CordonCeiling.KINDS.contains(e.getKey())) {
        throw new IllegalArgumentException(key + ": scope must be global or nodegroup");
      }
      out.put(
          e.getKey(),
          new CordonCeiling.Limit(
              nonNegative(e.getValue(), "max", key), percent(e.getValue(), "maxPercent", key)));
    }
    return out;
  }

  private static Map<FaultClass, FollowUp> followUps(JsonNode n) {
    Map<FaultClass, FollowUp> out = new EnumMap<>(FaultClass.class);
    var it = n.fields();
    while (it.hasNext()) {
      var e = it.next();
      String key = "followUp." + e.getKey();
      FaultClass c;
      try {
        c = FaultClass.valueOf(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "remediation.yaml: " + key + ": '" + e.getKey() + "' is not a FaultClass", ex);
      }
      if (FaultClasses.isConfiguration(c)) {
        throw new IllegalArgumentException(
            "remediation.yaml: "
                + key
                + ": configuration faults never get a node action (they ESCALATE)");
      }
      RemediationAction a = action(e.getValue().path("action").asText(""), key + ".action");
      if (!Ladder.DEFAULT.rungs().contains(a) && a != RemediationAction.ESCALATE) {
        throw new IllegalArgumentException(
            "remediation.yaml: " + key + ".action must be a ladder rung, not " + a);
      }
      out.put(c, new FollowUp(duration(e.getValue().path("after").asText(""), key + ".after"), a));
    }
    return out;
  }

  /**
   * The {@code validate} section; left out, nothing is validated (a policy file written before
   * validation existed keeps behaving as it did: validating needs dcgmi on the nodes).
   */
  static Validate validate(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return Validate.OFF;
    }
    Set<FaultClass> classes = EnumSet.noneOf(FaultClass.class);
    int i = 0;
    for (JsonNode c : n.path("classes")) {
      String key = "validate.classes[" + i++ + "]";
      FaultClass fc;
      try {
        fc = FaultClass.valueOf(c.asText());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "remediation.yaml: " + key + ": '" + c.asText() + "' is not a FaultClass", ex);
      }
      if (FaultClasses.isConfiguration(fc)) {
        throw new IllegalArgumentException(
            "remediation.yaml: " + key + ": configuration faults are never repaired on the node");
      }
      classes.add(fc);
    }
    int level = n.path("level").asInt(2);
    if (!n.path("level").isMissingNode() && (!n.path("level").isInt() || level < 1 || level > 3)) {
      throw new IllegalArgumentException(
          "remediation.yaml: validate.level must be 1, 2 or 3, not '"
              + n.path("level").asText()
              + "'");
    }
    Duration timeout =
        n.has("timeout")
            ? duration(n.path("timeout").asText(), "validate.timeout")
            : Validate.defaultTimeout(level);
    return new Validate(classes, level, timeout);
  }

  /**
   * The {@code gpuReset} section: {@code default} (ssm or job) and {@code byImage}, image family to
   * path. Left out: {@link GpuReset#DEFAULT}, as shipped.
   */
  static GpuReset gpuReset(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return GpuReset.DEFAULT;
    }
    GpuResetPath dflt =
        n.has("default") ? resetPath(n.path("default"), "gpuReset.default") : GpuResetPath.SSM;
    Map<ImageFamily, GpuResetPath> byImage = new EnumMap<>(ImageFamily.class);
    var it = n.path("byImage").fields();
    while (it.hasNext()) {
      var e = it.next();
      String key = "gpuReset.byImage." + e.getKey();
      ImageFamily family =
          ImageFamily.byKey(e.getKey())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "remediation.yaml: "
                              + key
                              + ": image family must be one of "
                              + Arrays.stream(ImageFamily.values())
                                  .map(ImageFamily::key)
                                  .toList()));
      byImage.put(family, resetPath(e.getValue(), key));
    }
    return new GpuReset(dflt, byImage);
  }

  /** The {@code perGpu} section; left out, every drain is a whole node's ({@link PerGpu#OFF}). */
  static PerGpu perGpu(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return PerGpu.OFF;
    }
    Set<FaultClass> classes = EnumSet.noneOf(FaultClass.class);
    int i = 0;
    for (JsonNode c : n.path("classes")) {
      String key = "perGpu.classes[" + i++ + "]";
      FaultClass fc;
      try {
        fc = FaultClass.valueOf(c.asText());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "remediation.yaml: " + key + ": '" + c.asText() + "' is not a FaultClass", ex);
      }
      if (!PerGpu.ALLOWED.contains(fc)) {
        throw new IllegalArgumentException(
            "remediation.yaml: "
                + key
                + ": "
                + fc
                + " is not confined to one GPU; allowed: "
                + PerGpu.ALLOWED.stream().map(Enum::name).sorted().toList());
      }
      classes.add(fc);
    }
    return new PerGpu(classes);
  }

  private static GpuResetPath resetPath(JsonNode v, String key) {
    return GpuResetPath.byVia(v.asText(""))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "remediation.yaml: " + key + " must be ssm or job, not '" + v.asText() + "'"));
  }

  private static Ladder ladder(JsonNode n) {
    if (n.isMissingNode()) {
      return Ladder.DEFAULT;
    }
    List<RemediationAction> rungs = new ArrayList<>();
    int i = 0;
    for (JsonNode r : n.path("rungs")) {
      rungs.add(action(r.asText(), "ladder.rungs[" + i++ + "]"));
    }
    if (rungs.isEmpty()) {
      throw new IllegalArgumentException("remediation.yaml: ladder.rungs must not be empty");
    }
    Map<RemediationAction, Duration> deadlines = new EnumMap<>(RemediationAction.class);
    var it = n.path("verifyDeadline").fields();
    while (it.hasNext()) {
      var e = it.next();
      String key = "ladder.verifyDeadline." + e.getKey();
      deadlines.put(action(e.getKey(), key), duration(e.getValue().asText(), key));
    }
    Duration recheck =
        n.has("recheck")
            ? duration(n.path("recheck").asText(), "ladder.recheck")
            : Ladder.DEFAULT.recheck();
    return new Ladder(rungs, deadlines, recheck);
  }

  private static RepeatOffender repeatOffender(JsonNode n) {
    if (n.isMissingNode()) {
      return RepeatOffender.DEFAULT;
    }
    int faults = nonNegative(n, "faults", "remediation.yaml: repeatOffender");
    if (faults == 1) {
      throw new IllegalArgumentException(
          "remediation.yaml: repeatOffender.faults must be 0 (off) or >= 2");
    }
    return new RepeatOffender(
        faults,
        n.has("within")
            ? duration(n.path("within").asText(), "repeatOffender.within")
            : RepeatOffender.DEFAULT.within());
  }

  private static Duration reescalateAfter(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return DEFAULT_REESCALATE_AFTER;
    }
    String text = n.asText();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    try {
      Duration d = Durations.parse(text);
      if (d.isNegative()) {
        throw new IllegalArgumentException("must be >= 0 (0 = escalate once)");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("remediation.yaml: reescalateAfter: " + e.getMessage(), e);
    }
  }

  private static Duration duration(String text, String key) {
    try {
      Duration d = Durations.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("remediation.yaml: " + key + ": " + e.getMessage(), e);
    }
  }

  private static int nonNegative(JsonNode n, String field, String key) {
    int v = n.path(field).asInt(0);
    if (v < 0) {
      throw new IllegalArgumentException(key + "." + field + " must be >= 0");
    }
    return v;
  }

  private static int percent(JsonNode n, String field, String key) {
    int v = nonNegative(n, field, key);
    if (v > 100) {
      throw new IllegalArgumentException(key + "." + field + " must be 0..100");
    }
    return v;
  }

  private static RemediationAction action(String s, String key) {
    try {
      return RemediationAction.valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "remediation.yaml: " + key + ": '" + s + "' is not a RemediationAction", e);
    }
  }
}
