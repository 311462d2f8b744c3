package io.gpuward.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gpuward.config.Durations;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads scenario YAML and validates it fail-fast: the first problem throws a {@link
 * ScenarioException} naming the key and the value. Unknown keys are rejected at every level.
 *
 * <pre>{@code
 * name: seeds                 # required
 * seed: 42                    # default 42
 * start: 2026-01-01T00:00:00Z # optional; default: in the past, so the run ends at the wall clock
 * sampleInterval: 1s          # default 1s
 * heartbeatInterval: 5s       # default 5s
 * duration: 3m                # required
 * nodegroups:                 # required, at least one
 *   - {name, instanceType, image, count, zone, driverVersion (default 580.95.05), dra (default
 *      false: GPUs through the device plugin; true: through the NVIDIA DRA driver's ResourceSlice)}
 * faults:                     # optional
 *   - {at, node | nodegroup [+ count | percent], inject, <kind fields>}
 * }</pre>
 *
 * Kind fields: {@code gpu} (index, default 0) on xid, ecc-dbe, sbe-storm, row-remap-failure,
 * thermal, nvlink-errors, gpu-missing; {@code xid} (required), {@code message}, {@code pid}, {@code
 * process}, {@code survives}, {@code unhealthy} on xid; {@code celsius} (required), {@code ramp},
 * {@code throttle} ({@code hw}) on thermal; {@code rate} on sbe-storm and nvlink-errors; {@code
 * message} (required), {@code reason} on container-error; {@code message} on not-ready; {@code
 * operand} (required), {@code unexpected}, {@code grace} on operand-missing; {@code allocatable} on
 * allocatable-drop; {@code operand} (required) on operand-crashloop and operand-opt-out; {@code
 * code} (required, an EC2 event code) and {@code in} (required, NotBefore = at + in) on
 * scheduled-event; {@code for} on every kind but xid, ecc-dbe, row-remap-failure, no-registration,
 * recover, scale-in, ssm-unregistered, operand-opt-out and scheduled-event.
 */
public final class ScenarioLoader {

  /** Classpath location of the default scenario. */
  public static final String DEFAULT_RESOURCE = "/gpuward/scenarios/default.yaml";

  private static final List<String> TOP_KEYS =
      List.of(
          "name",
          "seed",
          "start",
          "sampleInterval",
          "heartbeatInterval",
          "duration",
          "nodegroups",
          "faults");
  private static final List<String> GROUP_KEYS =
      List.of("name", "instanceType", "image", "count", "zone", "driverVersion", "dra");
  private static final List<String> FAULT_COMMON_KEYS =
      List.of("at", "node", "nodegroup", "count", "percent", "inject");
  private static final Map<String, List<String>> KIND_KEYS =
      Map.ofEntries(
          Map.entry(
              "xid", List.of("gpu", "xid", "message", "pid", "process", "survives", "unhealthy")),
          Map.entry("ecc-dbe", List.of("gpu")),
          Map.entry("sbe-storm", List.of("gpu", "rate", "for")),
          Map.entry("row-remap-failure", List.of("gpu")),
          Map.entry("thermal", List.of("gpu", "celsius", "for", "ramp", "throttle")),
          Map.entry("nvlink-errors", List.of("gpu", "rate", "for")),
          Map.entry("gpu-missing", List.of("gpu", "for")),
          Map.entry("not-ready", List.of("message", "for")),
          Map.entry("no-registration", List.of()),
          Map.entry("container-error", List.of("message", "reason", "for")),
          Map.entry("operand-missing", List.of("operand", "unexpected", "grace", "for")),
          Map.entry("allocatable-drop", List.of("allocatable", "for")),
          Map.entry("telemetry-silence", List.of("for")),
          Map.entry("recover", List.of()),
          Map.entry("scale-in", List.of()),
          Map.entry("hang", List.of("for")),
          Map.entry("operand-crashloop", List.of("operand", "for")),
          Map.entry("ssm-unregistered", List.of()),
          Map.entry("operand-opt-out", List.of("operand")),
          Map.entry("diag-fail", List.of("gpu", "hang")),
          Map.entry("scheduled-event", List.of("code", "in")));
  private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern NODE_NAME = Pattern.compile("(.+)-(\\d+)");
  private static final Pattern INSTANCE_TYPE =
      Pattern.compile(
          "[a-z][a-z0-9-]*\\.(nano|micro|small|medium|large|metal|\\d*xlarge|metal-\\d+xl)");

  /** EC2 GPU families: p2 … p6e-gb200, g3 … g7e, gr6 (no CPU family starts with p or g). */
  private static final Pattern GPU_FAMILY = Pattern.compile("(p|g|gr)\\d.*");

  private static final List<String> SIZES =
      List.of(
          "large",
          "xlarge",
          "2xlarge",
          "4xlarge",
          "8xlarge",
          "12xlarge",
          "16xlarge",
          "24xlarge",
          "36xlarge",
          "48xlarge",
          "metal");

  private ScenarioLoader() {}

  /** The default scenario shipped in the jar. */
  public static Scenario loadDefault() {
    return loadDefault(InstanceTypeCatalog.load());
  }

  /** The default scenario shipped in the jar, validated against {@code catalog}. */
  public static Scenario loadDefault(InstanceTypeCatalog catalog) {
    try (InputStream in = ScenarioLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("default scenario " + DEFAULT_RESOURCE + " missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), catalog);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read default scenario " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * Loads a scenario file.
   *
   * @throws ScenarioException when the file is missing, not YAML, or invalid
   */
  public static Scenario load(Path file) {
    return load(file, InstanceTypeCatalog.load());
  }

  /** Loads a scenario file, validated against {@code catalog}. */
  public static Scenario load(Path file, InstanceTypeCatalog catalog) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ScenarioException("", "scenario file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new ScenarioException("", "cannot read scenario file " + file + ": " + e, e);
    }
    return parse(text, catalog, file.toString());
  }

  /** Parses scenario YAML text. */
  public static Scenario parse(String yaml) {
    return parse(yaml, InstanceTypeCatalog.load());
  }

  /** Parses scenario YAML text, validated against {@code catalog} (GPU indexes, GPU kinds). */
  public static Scenario parse(String yaml, InstanceTypeCatalog catalog) {
    return parse(yaml, catalog, "scenario");
  }

  /** As {@link #parse(String, InstanceTypeCatalog)}; YAML errors name {@code source}:line:col. */
  private static Scenario parse(String yaml, InstanceTypeCatalog catalog, String source) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (JsonProcessingException e) {
      // Without its cause: the parser's own message is a many-line dump with a source excerpt,
      // and the CLI prints every message of the cause chain.
      throw new ScenarioException("", syntaxError(e, source));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ScenarioException("", "scenario is empty");
    }
    if (!root.isObject()) {
      throw new ScenarioException("", "scenario must be a mapping of keys (name, duration, ...)");
    }
    return new Reader(catalog).scenario((ObjectNode) root);
  }

  /** {@code file:line:col: not valid YAML: problem (context)}, on one line. */
  static String syntaxError(JsonProcessingException e, String source) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        return String.format(
            Locale.ROOT,
            "%s:%d:%d: not valid YAML: %s%s",
            source,
            m.getProblemMark().getLine() + 1,
            m.getProblemMark().getColumn() + 1,
            m.getProblem(),
            m.getContext() == null ? "" : " (" + m.getContext() + ")");
      }
    }
    String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
    return e.getLocation() == null
        ? source + ": not valid YAML: " + first
        : String.format(
            Locale.ROOT,
            "%s:%d:%d: not valid YAML: %s",
            source,
            e.getLocation().getLineNr(),
            e.getLocation().getColumnNr(),
            first);
  }

  /** One parse; keeps the node groups for cross-checks. */
  private static final class Reader {
    private final InstanceTypeCatalog catalog;
    private final List<NodeGroupSpec> groups = new ArrayList<>();

    Reader(InstanceTypeCatalog catalog) {
      this.catalog = catalog;
    }

    Scenario scenario(ObjectNode root) {
      checkKeys(root, "", TOP_KEYS);
      String name = requiredString(root, "", "name");
      long seed = optionalLong(root, "", "seed").orElse(42L);
      Optional<Instant> start = Optional.empty();
      if (present(root, "start")) {
        String s = text(root.get("start"), "start");
        try {
          start = Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
          throw new ScenarioException(
              "start", "'" + s + "' is not an ISO-8601 instant (use 2026-01-01T00:00:00Z)");
        }
      }
      Duration interval =
          optionalDuration(root, "", "sampleInterval").orElse(Scenario.DEFAULT_SAMPLE_INTERVAL);
      positive(interval, "sampleInterval");
      Duration heartbeat =
          optionalDuration(root, "", "heartbeatInterval")
              .orElse(Scenario.DEFAULT_HEARTBEAT_INTERVAL);
      positive(heartbeat, "heartbeatInterval");
      Duration duration =
          optionalDuration(root, "", "duration")
              .orElseThrow(() -> new ScenarioException("duration", "required (e.g. 3m)"));
      positive(duration, "duration");

      nodegroups(root.get("nodegroups"));

      List<Fault> faults = new ArrayList<>();
      JsonNode fs = root.get("faults");
      if (fs != null && !fs.isNull()) {
        if (!fs.isArray()) {
          throw new ScenarioException("faults", "must be a list of faults");
        }
        for (int i = 0; i < fs.size(); i++) {
          faults.add(fault(fs.get(i), i, duration));
        }
      }
      return new Scenario(name, seed, interval, heartbeat, duration, start, groups, faults);
    }

    /**
     * Reads the node groups into {@code groups}: unique names, at most {@link Scenario#MAX_NODES}.
     */
    private void nodegroups(JsonNode ng) {
      if (ng == null || ng.isNull()) {
        throw new ScenarioException("nodegroups", "required: a list of node groups");
      }
      if (!ng.isArray() || ng.isEmpty()) {
        throw new ScenarioException("nodegroups", "must be a non-empty list of node groups");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < ng.size(); i++) {
        NodeGroupSpec g = nodegroup(ng.get(i), "nodegroups[" + i + "]");
        if (!names.add(g.name())) {
          throw new ScenarioException(
              "nodegroups[" + i + "].name", g.name() + " is used by another node group");
        }
        groups.add(g);
      }
      int nodes = groups.stream().mapToInt(NodeGroupSpec::count).sum();
      if (nodes > Scenario.MAX_NODES) {
        throw new ScenarioException(
            "nodegroups",
            nodes + " nodes in all, more than the " + Scenario.MAX_NODES + " a scenario simulates");
      }
    }

    private NodeGroupSpec nodegroup(JsonNode n, String path) {
      if (!n.isObject()) {
        throw new ScenarioException(path, "must be a mapping {name, instanceType, image, ...}");
      }
      checkKeys(n, path, GROUP_KEYS);
      String name = requiredString(n, path, "name");
      if (!DNS_NAME.matcher(name).matches()) {
        throw new ScenarioException(
            path + ".name", "'" + name + "' is not a valid name (lower-case letters, digits, -)");
      }
      String type = requiredString(n, path, "instanceType");
      checkInstanceType(type, path + ".instanceType");
      String image = requiredString(n, path, "image");
      long count =
          optionalLong(n, path, "count")
              .orElseThrow(() -> new ScenarioException(path + ".count", "required"));
      if (count < 0 || count > Scenario.MAX_NODES) {
        throw new ScenarioException(
            path + ".count",
            count
                + " is not between 0 and "
                + Scenario.MAX_NODES
                + ", the most nodes a scenario simulates (gpuward bench measures larger fleets)");
      }
      String zone = requiredString(n, path, "zone");
      String driver =
          present(n, "driverVersion")
              ? text(n.get("driverVersion"), path + ".driverVersion")
              : NodeGroupSpec.DEFAULT_DRIVER_VERSION;
      boolean dra = flag(n, path, "dra");
      if (dra && catalog.find(type).filter(InstanceType::hasNvidiaGpu).isEmpty()) {
        throw new ScenarioException(
            path + ".dra", type + " has no NVIDIA GPU for the NVIDIA DRA driver to publish");
      }
      return new NodeGroupSpec(name, type, image, (int) count, zone, driver, dra);
    }

    /**
     * An instance type the simulator can run: any EC2-looking name; GPU types (families p and g)
     * only when the instance-type table lists them, because their GPU count and model come from it.
     * An unknown GPU type run as a CPU type would turn a typo such as {@code g6e.2xlarg} into an
     * IMAGE_INSTANCE_MISMATCH (an NVIDIA image on a CPU type) instead of an error.
     */
    private void checkInstanceType(String type, String path) {
      if (catalog.find(type).isPresent()) {
        return;
      }
      if (!INSTANCE_TYPE.matcher(type).matches()) {
        throw new ScenarioException(
            path, "'" + type + "' is not an EC2 instance type (family.size, e.g. p5.48xlarge)");
      }
      String family = type.substring(0, type.indexOf('.'));
      List<String> sizes = new ArrayList<>();
      for (String size : SIZES) {
        catalog.find(family + "." + size).ifPresent(t -> sizes.add(t.name()));
      }
      if (!sizes.isEmpty()) {
        throw new ScenarioException(
            path,
            "'"
                + type
                + "' is not a "
                + family
                + " instance type (known: "
                + String.join(", ", sizes)
                + ")");
      }
      if (GPU_FAMILY.matcher(family).matches()) {
        throw new ScenarioException(
            path,
            "'"
                + type
                + "' looks like a GPU instance type but is not in the instance-type table"
                + " (streams/ec2-gpu-instance-types.csv), which gives its GPU count and model;"
                + " CPU types such as m5.large need no entry");
      }
    }

    private Fault fault(JsonNode n, int index, Duration scenarioDuration) {
      String path = "faults[" + index + "]";
      if (!n.isObject()) {
        throw new ScenarioException(path, "must be a mapping {at, node, inject, ...}");
      }
      // inject first: the allowed keys depend on it
      if (!present(n, "inject")) {
        throw new ScenarioException(
            path + ".inject", "required, one of " + String.join(", ", Injection.KINDS));
      }
      String kind = text(n.get("inject"), path + ".inject");
      if (!Injection.KINDS.contains(kind)) {
        throw new ScenarioException(
            path + ".inject", "'" + kind + "' is not one of " + String.join(", ", Injection.KINDS));
      }
      List<String> allowed = new ArrayList<>(FAULT_COMMON_KEYS);
      allowed.addAll(KIND_KEYS.get(kind));
      checkKeys(n, path, allowed);

      Duration at =
          optionalDuration(n, path, "at")
              .orElseThrow(() -> new ScenarioException(path + ".at", "required (e.g. 20s)"));
      if (at.compareTo(scenarioDuration) > 0) {
        throw new ScenarioException(
            path + ".at",
            Durations.format(at)
                + " is after the scenario duration "
                + Durations.format(scenarioDuration));
      }

      Target target = target(n, path);
      List<NodeGroupSpec> targetGroups = targetGroups(target);
      Injection injection = injection(n, path, kind, targetGroups);
      return new Fault(index, at, target, injection);
    }

    private Target target(JsonNode n, String path) {
      boolean hasNode = present(n, "node");
      boolean hasGroup = present(n, "nodegroup");
      if (hasNode == hasGroup) {
        throw new ScenarioException(path, "name exactly one of node or nodegroup");
      }
      if (hasNode) {
        if (present(n, "count") || present(n, "percent")) {
          throw new ScenarioException(
              path + (present(n, "count") ? ".count" : ".percent"), "only allowed with nodegroup");
        }
        String node = text(n.get("node"), path + ".node");
        var m = NODE_NAME.matcher(node);
        boolean known = false;
        if (m.matches()) {
          int idx;
          try {
            idx = Integer.parseInt(m.group(2));
          } catch (NumberFormatException e) {
            idx = -1;
          }
          for (NodeGroupSpec g : groups) {
            if (g.name().equals(m.group(1)) && idx >= 0 && idx < g.count()) {
              known = true;
              break;
            }
          }
        }
        if (!known) {
          throw new ScenarioException(path + ".node", node + " is not in any nodegroup");
        }
        return new Target.Node(node);
      }
      String group = text(n.get("nodegroup"), path + ".nodegroup");
      NodeGroupSpec spec =
          groups.stream()
              .filter(g -> g.name().equals(group))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ScenarioException(
                          path + ".nodegroup",
                          group
                              + " is not a nodegroup (known: "
                              + String.join(", ", groups.stream().map(NodeGroupSpec::name).toList())
                              + ")"));
      OptionalInt count = OptionalInt.empty();
      OptionalDouble percent = OptionalDouble.empty();
      if (present(n, "count") && present(n, "percent")) {
        throw new ScenarioException(path + ".percent", "name count or percent, not both");
      }
      if (present(n, "count")) {
        long c = optionalLong(n, path, "count").orElseThrow();
        if (c < 1 || c > spec.count()) {
          throw new ScenarioException(
              path + ".count",
              c + " is not between 1 and " + spec.count() + " (nodes in " + group + ")");
        }
        count = OptionalInt.of((int) c);
      }
      if (present(n, "percent")) {
        double p = number(n.get("percent"), path + ".percent");
        if (!(p > 0 && p <= 100)) {
          throw new ScenarioException(path + ".percent", p + " is not in (0, 100]");
        }
        percent = OptionalDouble.of(p);
      }
      return new Target.NodeGroup(group, count, percent);
    }

    private List<NodeGroupSpec> targetGroups(Target t) {
      String g =
          t instanceof Target.Node node
              ? NODE_NAME.matcher(node.name()).replaceFirst("$1")
              : ((Target.NodeGroup) t).name();
      return groups.stream().filter(x -> x.name().equals(g)).toList();
    }

    private Injection injection(JsonNode n, String path, String kind, List<NodeGroupSpec> tg) {
      Optional<Duration> lasting = optionalDuration(n, path, "for");
      lasting.ifPresent(d -> positive(d, path + ".for"));
      switch (kind) {
        case "xid":
          return xidInjection(n, path, kind, tg, lasting);
        case "ecc-dbe":
          return new Injection.EccDbe(gpu(n, path, kind, tg));
        case "sbe-storm":
          return new Injection.SbeStorm(gpu(n, path, kind, tg), rate(n, path, 200), lasting);
        case "row-remap-failure":
          return new Injection.RowRemapFailure(gpu(n, path, kind, tg));
        case "thermal":
          return thermalInjection(n, path, kind, tg, lasting);
        case "nvlink-errors":
          return nvlinkInjection(n, path, kind, tg, lasting);
        case "gpu-missing":
          return new Injection.GpuMissing(gpu(n, path, kind, tg), lasting);
        case "not-ready":
          return new Injection.NotReady(optionalString(n, path, "message"), lasting);
        case "no-registration":
          return new Injection.NoRegistration();
        case "container-error":
          return containerErrorInjection(n, path, kind, tg, lasting);
        case "operand-missing":
          return operandMissingInjection(n, path, kind, tg, lasting);
        case "allocatable-drop":
          return allocatableDropInjection(n, path, kind, tg, lasting);
        case "telemetry-silence":
          return new Injection.TelemetrySilence(lasting.orElse(Duration.ofSeconds(60)));
        case "recover":
          return new Injection.Recover();
        case "scale-in":
          return new Injection.ScaleIn();
        case "hang":
          return new Injection.Hang(lasting);
        case "operand-crashloop":
          requireGpus(path + ".inject", kind, tg);
          return new Injection.OperandCrashLoop(operand(n, path), lasting);
        case "ssm-unregistered":
          return new Injection.SsmUnregistered();
        case "operand-opt-out":
          requireGpus(path + ".inject", kind, tg);
          return new Injection.OperandOptOut(operand(n, path));
        case "diag-fail":
          return new Injection.DiagFail(gpu(n, path, kind, tg), flag(n, path, "hang"));
        case "scheduled-event":
          return scheduledEventInjection(n, path);
        default:
          throw new IllegalStateException("unhandled kind " + kind);
      }
    }

    private Injection scheduledEventInjection(JsonNode n, String path) {
      String code =
          optionalString(n, path, "code")
              .orElseThrow(
                  () ->
                      new ScenarioException(path + ".code", "required (e.g. instance-retirement)"));
      if (!Injection.EVENT_CODES.contains(code)) {
        throw new ScenarioException(
            path + ".code",
            "'" + code + "' is not one of " + String.join(", ", Injection.EVENT_CODES));
      }
      Duration in =
          optionalDuration(n, path, "in")
              .orElseThrow(() -> new ScenarioException(path + ".in", "required (e.g. 2m)"));
      positive(in, path + ".in");
      return new Injection.ScheduledEvent(code, in);
    }

    private Injection xidInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      int gpu = gpu(n, path, kind, tg);
      long code =
          optionalLong(n, path, "xid")
              .orElseThrow(() -> new ScenarioException(path + ".xid", "required (e.g. 79)"));
      if (code < 1 || code > 999) {
        throw new ScenarioException(path + ".xid", code + " is not an XID code (1-999)");
      }
      Optional<String> msg = optionalString(n, path, "message");
      Optional<Long> pid = optionalLong(n, path, "pid");
      Optional<String> process = optionalString(n, path, "process");
      Injection.Xid.Survives survives = Injection.Xid.Survives.NOTHING;
      Optional<String> s = optionalString(n, path, "survives");
      if (s.isPresent()) {
        switch (s.get()) {
          case "reset" -> survives = Injection.Xid.Survives.RESET;
          case "reboot" -> survives = Injection.Xid.Survives.REBOOT;
          default ->
              throw new ScenarioException(
                  path + ".survives", "'" + s.get() + "' is not one of reset, reboot");
        }
      }
      boolean unhealthy = false;
      if (present(n, "unhealthy")) {
        JsonNode u = n.get("unhealthy");
        if (!u.isBoolean()) {
          throw new ScenarioException(
              path + ".unhealthy", "'" + u.asText() + "' is not true or false");
        }
        unhealthy = u.booleanValue();
      }
      return new Injection.Xid(gpu, (int) code, msg, pid, process, survives, unhealthy);
    }

    private Injection thermalInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      int gpu = gpu(n, path, kind, tg);
      if (!present(n, "celsius")) {
        throw new ScenarioException(path + ".celsius", "required (e.g. 97)");
      }
      double c = number(n.get("celsius"), path + ".celsius");
      if (c < 20 || c > 130) {
        throw new ScenarioException(path + ".celsius", c + " is not between 20 and 130");
      }
      Duration ramp = optionalDuration(n, path, "ramp").orElse(Duration.ofSeconds(8));
      Optional<String> throttle = optionalString(n, path, "throttle");
      if (throttle.isPresent() && !throttle.get().equals("hw")) {
        throw new ScenarioException(path + ".throttle", "'" + throttle.get() + "' is not hw");
      }
      return new Injection.Thermal(
          gpu, c, lasting.orElse(Duration.ofSeconds(60)), ramp, throttle.isPresent());
    }

    private Injection nvlinkInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      int gpu = gpu(n, path, kind, tg);
      for (NodeGroupSpec g : tg) {
        if (!GpuProfile.of(catalog.resolve(g.instanceType())).nvlink()) {
          throw new ScenarioException(
              path + ".inject",
              "'nvlink-errors' needs NVLink but "
                  + g.instanceType()
                  + " (nodegroup "
                  + g.name()
                  + ") has none");
        }
      }
      return new Injection.NvlinkErrors(gpu, rate(n, path, 50), lasting);
    }

    private Injection containerErrorInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      String msg =
          optionalString(n, path, "message")
              .orElseThrow(
                  () ->
                      new ScenarioException(
                          path + ".message", "required: the container start error text"));
      return new Injection.ContainerError(msg, optionalString(n, path, "reason"), lasting);
    }

    private Injection operandMissingInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      String op = operand(n, path);
      boolean unexpected = false;
      if (present(n, "unexpected")) {
        JsonNode u = n.get("unexpected");
        if (!u.isBoolean()) {
          throw new ScenarioException(
              path + ".unexpected", "'" + u.asText() + "' is not true or false");
        }
        unexpected = u.booleanValue();
      }
      Duration grace = optionalDuration(n, path, "grace").orElse(Duration.ofSeconds(30));
      requireGpus(path + ".inject", kind, tg);
      return new Injection.OperandMissing(op, unexpected, grace, lasting);
    }

    private Injection allocatableDropInjection(
        JsonNode n, String path, String kind, List<NodeGroupSpec> tg, Optional<Duration> lasting) {
      OptionalInt alloc = OptionalInt.empty();
      if (present(n, "allocatable")) {
        long a = optionalLong(n, path, "allocatable").orElseThrow();
        int max = tg.stream().mapToInt(g -> gpus(g)).min().orElse(0);
        if (a < 0 || a >= Math.max(1, max)) {
          throw new ScenarioException(
              path + ".allocatable",
              a + " is not below the GPU count (0.." + Math.max(0, max - 1) + ")");
        }
        alloc = OptionalInt.of((int) a);
      }
      requireGpus(path + ".inject", kind, tg);
      return new Injection.AllocatableDrop(alloc, lasting);
    }

    private static String operand(JsonNode n, String path) {
      String op =
          optionalString(n, path, "operand")
              .orElseThrow(
                  () ->
                      new ScenarioException(
                          path + ".operand",
                          "required, one of " + String.join(", ", Injection.OPERANDS)));
      if (!Injection.OPERANDS.contains(op)) {
        throw new ScenarioException(
            path + ".operand",
            "'" + op + "' is not one of " + String.join(", ", Injection.OPERANDS));
      }
      return op;
    }

    private int gpus(NodeGroupSpec g) {
      return catalog.resolve(g.instanceType()).nvidiaGpus();
    }

    private void requireGpus(String path, String kind, List<NodeGroupSpec> tg) {
      for (NodeGroupSpec g : tg) {
        if (gpus(g) == 0) {
          throw new ScenarioException(
              path,
              "'"
                  + kind
                  + "' needs NVIDIA GPUs but "
                  + g.instanceType()
                  + " (nodegroup "
                  + g.name()
                  + ") has none");
        }
      }
    }

    private boolean flag(JsonNode n, String path, String key) {
      if (!present(n, key)) {
        return false;
      }
      JsonNode u = n.get(key);
      if (!u.isBoolean()) {
        throw new ScenarioException(path + "." + key, "'" + u.asText() + "' is not true or false");
      }
      return u.booleanValue();
    }

    private int gpu(JsonNode n, String path, String kind, List<NodeGroupSpec> tg) {
      requireGpus(path + ".inject", kind, tg);
      long gpu = optionalLong(n, path, "gpu").orElse(0L);
      for (NodeGroupSpec g : tg) {
        int count = gpus(g);
        if (gpu < 0 || gpu >= count) {
          throw new ScenarioException(
              path + ".gpu",
              gpu
                  + " is out of range for "
                  + g.instanceType()
                  + " ("
                  + count
                  + (count == 1 ? " GPU: 0)" : " GPUs: 0-" + (count - 1) + ")"));
        }
      }
      return (int) gpu;
    }

    private double rate(JsonNode n, String path, double dflt) {
      if (!present(n, "rate")) {
        return dflt;
      }
      double r = number(n.get("rate"), path + ".rate");
      if (!(r > 0)) {
        throw new ScenarioException(path + ".rate", r + " must be positive (errors per second)");
      }
      return r;
    }
  }

  // ---- small typed accessors; every failure names the key path ----

  private static void checkKeys(JsonNode n, String path, List<String> allowed) {
    Set<String> known = new LinkedHashSet<>(allowed);
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!known.contains(k)) {
        String where = path.isEmpty() ? k : path + "." + k;
        throw new ScenarioException(
            where, "unknown key (allowed: " + String.join(", ", known) + ")");
      }
    }
  }

  private static boolean present(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v != null && !v.isNull();
  }

  private static String key(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String text(JsonNode v, String path) {
    if (!v.isValueNode()) {
      throw new ScenarioException(path, "must be a single value, not a list or mapping");
    }
    String s = v.asText();
    if (s.isBlank()) {
      throw new ScenarioException(path, "must not be empty");
    }
    return s;
  }

  private static String requiredString(JsonNode n, String path, String key) {
    if (!present(n, key)) {
      throw new ScenarioException(key(path, key), "required");
    }
    return text(n.get(key), key(path, key));
  }

  private static Optional<String> optionalString(JsonNode n, String path, String key) {
    return present(n, key) ? Optional.of(text(n.get(key), key(path, key))) : Optional.empty();
  }

  private static Optional<Long> optionalLong(JsonNode n, String path, String key) {
    if (!present(n, key)) {
      return Optional.empty();
    }
    JsonNode v = n.get(key);
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return Optional.of(v.longValue());
    }
    throw new ScenarioException(key(path, key), "'" + v.asText() + "' is not a whole number");
  }

  private static double number(JsonNode v, String path) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    throw new ScenarioException(path, "'" + v.asText() + "' is not a number");
  }

  private static Optional<Duration> optionalDuration(JsonNode n, String path, String key) {
    if (!present(n, key)) {
      return Optional.empty();
    }
    JsonNode v = n.get(key);
    String s = v.isValueNode() ? v.asText() : v.toString();
    if (!v.isTextual()) {
      throw new ScenarioException(key(path, key), "'" + s + "' is not a duration (use 90s, 5m)");
    }
    try {
      return Optional.of(Durations.parse(s));
    } catch (IllegalArgumentException e) {
      throw new ScenarioException(key(path, key), e.getMessage());
    }
  }

  private static void positive(Duration d, String path) {
    if (d.isZero() || d.isNegative()) {
      throw new ScenarioException(path, "must be positive");
    }
  }

  /** Resolves a node group's instance type against the catalog (for callers that need it). */
  static InstanceType resolve(InstanceTypeCatalog catalog, NodeGroupSpec g) {
    return catalog.resolve(g.instanceType());
  }
}
