package io.gpuward.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.RemediationAction;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.Actions;
import io.gpuward.remediation.Budgets;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.sim.Fault;
import io.gpuward.sim.NodeGroupSpec;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What must hold for any scenario run through {@code gpuward demo --out DIR}, read the way an SRE
 * reads the audit trail, given which nodes had which injected fault (from the scenario file):
 *
 * <ol>
 *   <li><b>Ladder on hardware faults.</b> Every node with an injected hardware fault gets a
 *       verdict; every hardware verdict the remediator saw has an audit record (an action or the
 *       reason for none); reset / reboot / replace only after that verdict's node was cordoned and
 *       drained; rungs climb in ladder order, the next rung only after the previous one failed for
 *       good, and nothing after a VERIFIED rung unless the node then failed its validation.
 *   <li><b>Configuration faults escalate.</b> A configuration fault (NVIDIA image on a CPU type, no
 *       registration, driver-root container errors, missing operands) never makes gpuward cordon,
 *       drain, reset, reboot or replace its node; configuration verdicts are only ever ESCALATEd,
 *       once per node group and signature, the other nodes SKIPPED SUPERSEDED.
 *   <li><b>Healthy nodes are left alone.</b> A node with no injected fault gets no hardware or
 *       configuration verdict and no node action.
 *   <li><b>Storms are bounded.</b> Never more nodes in disruptive remediation at once, nor more
 *       disruptions started per hour, than the budgets of {@code streams/remediation.yaml} allow in
 *       any scope (global, node group, zone); a verdict held under a fleet incident starts no
 *       disruptive step while held.
 * </ol>
 *
 * The disruption interval of a verdict is counted from its first disruptive STARTED to its last
 * disruptive record or the verdict's clearing, whichever is first, which is never longer than the
 * remediator holds budget; so a concurrency count here can only be lower than the remediator's, and
 * a violation is a real one.
 *
 * <p>Node membership of {@code nodegroup} faults with {@code count}/{@code percent} is resolved
 * with the simulator's own choice ({@link Target.NodeGroup#pick}) over the scenario's initial
 * nodes; replacement nodes that join during the run are not classified (they are neither healthy
 * nor faulted here).
 */
public final class ScenarioInvariants {

  /** What an injected fault is, for the checks. */
  public enum Kind {
    HARDWARE,
    CONFIGURATION,
    OTHER
  }

  static final Set<String> HARDWARE_CLASSES =
      Set.of(
          "GPU_XID_FATAL",
          "GPU_LOST",
          "GPU_MEMORY_DEGRADED",
          "GPU_THERMAL",
          "NVLINK_DEGRADED",
          "NODE_NOT_READY_GPU",
          "GPU_ALLOCATABLE_MISMATCH");
  static final Set<String> CONFIG_CLASSES =
      Set.of("IMAGE_INSTANCE_MISMATCH", "DRIVER_ROOT_MISCONFIGURED", "GPU_OPERATOR_DEGRADED");
  static final Set<String> NODE_ACTIONS =
      Set.of("CORDON", "DRAIN", "RESET_GPU", "REBOOT", "REPLACE");
  static final Set<String> DISRUPTIVE = Set.of("DRAIN", "RESET_GPU", "REBOOT", "REPLACE");
  static final List<String> RUNGS = List.of("RESET_GPU", "REBOOT", "REPLACE", "ESCALATE");
  private static final Set<String> HARDWARE_KINDS =
      Set.of(
          "xid",
          "ecc-dbe",
          "sbe-storm",
          "row-remap-failure",
          "thermal",
          "nvlink-errors",
          "gpu-missing",
          "allocatable-drop",
          "hang");
  private static final Set<String> CONFIG_KINDS =
      Set.of("no-registration", "container-error", "operand-missing", "operand-crashloop");
  private static final Pattern NVIDIA_IMAGE = Pattern.compile("(?i)nvidia");

  /** A verdict this close to the end of the run may not have been looked at yet. */
  private static final long SETTLE_MS = 20_000;

  /** The remediator may read a held verdict version this long after it was written. */
  private static final long HOLD_READ_MS = 2_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Scenario scenario;
  private final RemediationPolicy policy;
  private final Map<String, List<String>> injected = new LinkedHashMap<>();
  private final Map<String, NodeGroupSpec> groupOf = new HashMap<>();
  private final List<JsonNode> verdicts;
  private final List<JsonNode> incidents;
  private final List<JsonNode> audit;
  private final long end;

  private ScenarioInvariants(Scenario scenario, Path out) {
    this.scenario = scenario;
    this.policy = RemediationPolicy.load();
    this.verdicts = read(out.resolve("verdicts.jsonl"));
    this.incidents = read(out.resolve("incidents.jsonl"));
    this.audit = read(out.resolve("audit.jsonl"));
    InstanceTypeCatalog catalog = InstanceTypeCatalog.load();
    for (NodeGroupSpec g : scenario.nodegroups()) {
      boolean cpu = catalog.find(g.instanceType()).map(t -> !t.hasNvidiaGpu()).orElse(true);
      for (int i = 0; i < g.count(); i++) {
        String n = g.nodeName(i);
        groupOf.put(n, g);
        injected.put(n, new ArrayList<>());
        if (cpu && NVIDIA_IMAGE.matcher(g.image()).find()) {
          injected.get(n).add("nvidia-image-on-cpu-type");
        }
      }
    }
    for (Fault f : scenario.faults()) {
      for (String n : targets(f)) {
        injected.computeIfAbsent(n, k -> new ArrayList<>()).add(f.injection().kind());
      }
    }
    this.end =
        java.util.stream.Stream.of(verdicts, incidents, audit)
            .flatMap(List::stream)
            .mapToLong(r -> r.has("at") ? r.get("at").asLong() : r.get("updatedAt").asLong())
            .max()
            .orElse(0);
  }

  /** Reads a demo {@code --out} directory for the scenario in {@code scenarioFile}. */
  public static ScenarioInvariants of(Path scenarioFile, Path out) {
    return new ScenarioInvariants(ScenarioLoader.load(scenarioFile), out);
  }

  /** Initial nodes a fault hits. */
  private List<String> targets(Fault f) {
    if (f.target() instanceof Target.Node n) {
      return List.of(n.name());
    }
    Target.NodeGroup ng = (Target.NodeGroup) f.target();
    NodeGroupSpec spec = scenario.nodegroup(ng.name()).orElseThrow();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < spec.count(); i++) {
      all.add(spec.nodeName(i));
    }
    return ng.pick(scenario.seed(), f.index(), all);
  }

  // ------------------------------------------------------------------ accessors for scenario
  // asserts

  public Scenario scenario() {
    return scenario;
  }

  public List<JsonNode> verdicts() {
    return verdicts;
  }

  public List<JsonNode> incidents() {
    return incidents;
  }

  public List<JsonNode> audit() {
    return audit;
  }

  /** Injected fault kinds per initial node (empty list = healthy). */
  public Map<String, List<String>> injected() {
    return injected;
  }

  /** The nodes a scenario fault hit (by its index in the file). */
  public List<String> nodesOf(int faultIndex) {
    return targets(scenario.faults().get(faultIndex));
  }

  /** How the checks see one node. */
  public Set<Kind> kinds(String node) {
    Set<Kind> out = new LinkedHashSet<>();
    List<String> kinds = injected.getOrDefault(node, List.of());
    boolean gpuFault = kinds.stream().anyMatch(HARDWARE_KINDS::contains);
    for (String k : kinds) {
      if (HARDWARE_KINDS.contains(k) || (k.equals("not-ready") && gpuFault)) {
        out.add(Kind.HARDWARE);
      } else if (CONFIG_KINDS.contains(k) || k.equals("nvidia-image-on-cpu-type")) {
        out.add(Kind.CONFIGURATION);
      } else {
        out.add(Kind.OTHER);
      }
    }
    return out;
  }

  /** Audit records of a node, in time order. */
  public List<JsonNode> auditOf(String node) {
    return audit.stream()
        .filter(a -> a.get("node").asText().equals(node))
        .sorted(Comparator.comparingLong(a -> a.get("at").asLong()))
        .toList();
  }

  /** The latest version of every verdict, by verdict id (first seen order). */
  public Map<String, JsonNode> latestVerdicts() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    verdicts.forEach(v -> out.put(v.get("verdictId").asText(), v));
    return out;
  }

  // ------------------------------------------------------------------ the checks

  /** Every violation of the four properties, empty when the run is right. */
  public List<String> violations() {
    List<String> out = new ArrayList<>();
    hardwareLadder(out);
    configurationEscalates(out);
    healthyUntouched(out);
    budgetsAndHolds(out);
    return out;
  }

  /** Fails with every violation listed. */
  public void check() {
    List<String> v = violations();
    if (!v.isEmpty()) {
      throw new AssertionError(
          "scenario "
              + scenario.name()
              + ": "
              + v.size()
              + " invariant violation(s):\n  "
              + String.join("\n  ", v));
    }
  }

  private void hardwareLadder(List<String> out) {
    Map<String, JsonNode> latest = latestVerdicts();
    for (String node : injected.keySet()) {
      if (!kinds(node).contains(Kind.HARDWARE)) {
        continue;
      }
      boolean xidOnly =
          injected.get(node).stream().filter(HARDWARE_KINDS::contains).allMatch("xid"::equals);
      boolean seen =
          latest.values().stream()
              .filter(v -> v.get("node").asText().equals(node))
              .map(v -> v.get("faultClass").asText())
              .anyMatch(c -> HARDWARE_CLASSES.contains(c) || (xidOnly && c.equals("APP_XID")));
      if (!seen) {
        out.add("hardware fault " + injected.get(node) + " on " + node + " got no verdict");
      }
    }
    for (JsonNode v : latest.values()) {
      String cls = v.get("faultClass").asText();
      if (!HARDWARE_CLASSES.contains(cls)) {
        continue;
      }
      String id = v.get("verdictId").asText();
      String node = v.get("node").asText();
      List<JsonNode> records = forVerdict(id);
      if (records.isEmpty() && firstDetected(id) < end - SETTLE_MS) {
        out.add(
            cls + " verdict " + id + " on " + node + ": no audit record (no action, no reason)");
      }
      int lastRung = -1;
      boolean failedSinceLastRung = true;
      boolean verified = false;
      boolean cordoned = false;
      boolean drained = false;
      for (JsonNode a : records) {
        String action = a.get("action").asText();
        String outcome = a.get("outcome").asText();
        if (outcome.equals("SUCCEEDED") && action.equals("CORDON")) {
          cordoned = true;
        }
        if (outcome.equals("SUCCEEDED") && action.equals("DRAIN")) {
          drained = true;
        }
        int rung = RUNGS.indexOf(action);
        if (rung >= 0 && rung < RUNGS.size() - 1 && outcome.equals("STARTED")) {
          if (!cordoned || !drained) {
            out.add(where(a) + ": " + action + " STARTED before the node was cordoned and drained");
          }
          if (verified) {
            out.add(where(a) + ": " + action + " STARTED after a rung was VERIFIED");
          }
          if (lastRung >= 0 && rung < lastRung) {
            out.add(where(a) + ": " + action + " STARTED below " + RUNGS.get(lastRung));
          }
          if (lastRung >= 0 && rung > lastRung && !failedSinceLastRung) {
            out.add(
                where(a)
                    + ": climbed to "
                    + action
                    + " without "
                    + RUNGS.get(lastRung)
                    + " failing first");
          }
          if (rung != lastRung) {
            failedSinceLastRung = false;
          }
          lastRung = Math.max(lastRung, rung);
        }
        if (rung >= 0 && (outcome.equals("FAILED_PERMANENT") || outcome.equals("AMBIGUOUS"))) {
          failedSinceLastRung = true;
        }
        if (rung >= 0 && outcome.equals("VERIFIED")) {
          verified = true;
        }
        if (action.equals("VALIDATE")
            && (outcome.equals("FAILED_PERMANENT") || outcome.equals("AMBIGUOUS"))) {
          // diagnostics failing on a repaired node fail its rung: the ladder climbs on
          verified = false;
          failedSinceLastRung = true;
        }
      }
    }
  }

  private void configurationEscalates(List<String> out) {
    for (String node : injected.keySet()) {
      Set<Kind> k = kinds(node);
      if (k.contains(Kind.CONFIGURATION) && !k.contains(Kind.HARDWARE)) {
        for (JsonNode a : auditOf(node)) {
          if (NODE_ACTIONS.contains(a.get("action").asText())
              && a.get("outcome").asText().equals("STARTED")) {
            out.add(
                where(a)
                    + ": configuration fault "
                    + injected.get(node)
                    + " led to "
                    + a.get("action").asText());
          }
        }
      }
    }
    Map<String, Integer> escalations = new TreeMap<>();
    for (JsonNode v : latestVerdicts().values()) {
      if (!CONFIG_CLASSES.contains(v.get("faultClass").asText())) {
        continue;
      }
      String id = v.get("verdictId").asText();
      List<JsonNode> records = forVerdict(id);
      for (JsonNode a : records) {
        if (!a.get("action").asText().equals("ESCALATE")) {
          out.add(
              where(a)
                  + ": configuration verdict "
                  + v.get("faultClass").asText()
                  + " led to "
                  + a.get("action").asText());
        }
        if (a.get("action").asText().equals("ESCALATE")
            && a.get("outcome").asText().equals("SUCCEEDED")) {
          escalations.merge(
              v.get("nodegroup").asText()
                  + " "
                  + v.get("faultClass").asText()
                  + " "
                  + v.get("ruleId").asText(),
              1,
              Integer::sum);
        }
      }
      boolean handled =
          records.stream()
              .anyMatch(
                  a ->
                      a.get("action").asText().equals("ESCALATE")
                          && (a.get("outcome").asText().equals("SUCCEEDED")
                              || a.get("outcome").asText().equals("SKIPPED")
                              || a.get("outcome").asText().equals("STARTED")));
      if (!handled && firstDetected(id) < end - SETTLE_MS) {
        out.add(
            v.get("faultClass").asText()
                + " verdict "
                + id
                + " on "
                + v.get("node").asText()
                + " was neither escalated nor superseded");
      }
    }
    boolean once =
        policy.reescalateAfter().isZero()
            || policy.reescalateAfter().compareTo(scenario.duration()) > 0;
    escalations.forEach(
        (scope, n) -> {
          if (once && n > 1) {
            out.add("configuration scope " + scope + " escalated " + n + " times");
          }
        });
  }

  private void healthyUntouched(List<String> out) {
    for (var e : injected.entrySet()) {
      if (!e.getValue().isEmpty()) {
        continue;
      }
      String node = e.getKey();
      for (JsonNode a : auditOf(node)) {
        if (NODE_ACTIONS.contains(a.get("action").asText())
            && a.get("outcome").asText().equals("STARTED")) {
          out.add(where(a) + ": " + a.get("action").asText() + " on a healthy node");
        }
      }
      for (JsonNode v : latestVerdicts().values()) {
        String cls = v.get("faultClass").asText();
        if (v.get("node").asText().equals(node)
            && (HARDWARE_CLASSES.contains(cls) || CONFIG_CLASSES.contains(cls))) {
          out.add(cls + " verdict on healthy node " + node + ": " + v.get("summary").asText());
        }
      }
    }
  }

  /** A disruption of one node, [from, to] in epoch ms. */
  private record Span(String node, long from, long to) {}

  /**
   * A verdict's fault session entering ({@code opens}) or leaving its node's disruption; {@code
   * clearing}: the verdict cleared.
   */
  private record Edge(long at, String node, String session, boolean opens, boolean clearing) {}

  /**
   * Each node's disruptions as the remediator's budgets count them, one budget per node however
   * many of its verdicts take part: from a disruptive step's start until every verdict that took
   * part is done (a repair VERIFIED, a step AMBIGUOUS, an ESCALATE carried out, a step outside the
   * ladder that FAILED_PERMANENT, or the verdict clearing). The remediator reads a clearing up to
   * {@link #HOLD_READ_MS} after the engine wrote it, so a start of another of the node's verdicts
   * in that gap joins the disruption still held.
   */
  private List<Span> disruptions() {
    List<Edge> edges = new ArrayList<>();
    for (JsonNode a : audit) {
      String action = a.get("action").asText();
      String o = a.get("outcome").asText();
      boolean opens = o.equals("STARTED") && DISRUPTIVE.contains(action);
      if (opens || releases(action, o)) {
        String session = a.get("verdictId").asText();
        edges.add(new Edge(a.get("at").asLong(), a.get("node").asText(), session, opens, false));
      }
    }
    Set<String> cleared = new HashSet<>();
    for (JsonNode v : verdicts) {
      String id = v.get("verdictId").asText();
      if (v.get("state").asText().equals("CLEARED") && cleared.add(id)) {
        edges.add(new Edge(v.get("updatedAt").asLong(), v.get("node").asText(), id, false, true));
      }
    }
    // At one instant a release goes first, so it cannot end a disruption begun then.
    edges.sort(Comparator.comparingLong(Edge::at).thenComparing(Edge::opens));
    Map<String, Set<String>> taking = new HashMap<>();
    Map<String, Long> openSince = new HashMap<>();
    Map<String, Edge> closedBy = new HashMap<>();
    Map<String, Span> lastSpan = new HashMap<>();
    List<Span> spans = new ArrayList<>();
    for (Edge e : edges) {
      Set<String> in = taking.computeIfAbsent(e.node(), k -> new HashSet<>());
      if (e.opens() && in.isEmpty()) {
        Edge close = closedBy.get(e.node());
        boolean unread = close != null && close.clearing() && e.at() - close.at() < HOLD_READ_MS;
        if (unread) {
          spans.remove(lastSpan.get(e.node()));
        }
        openSince.put(e.node(), unread ? lastSpan.get(e.node()).from() : e.at());
      }
      if (e.opens()) {
        in.add(e.session());
      } else if (in.remove(e.session()) && in.isEmpty()) {
        Span s = new Span(e.node(), openSince.remove(e.node()), e.at());
        spans.add(s);
        lastSpan.put(e.node(), s);
        closedBy.put(e.node(), e);
      }
    }
    openSince.forEach((node, since) -> spans.add(new Span(node, since, Long.MAX_VALUE)));
    return spans;
  }

  /** Whether an audit record frees its node's budget, as the remediator does. */
  private static boolean releases(String action, String outcome) {
    return outcome.equals("VERIFIED")
        || outcome.equals("AMBIGUOUS")
        || (outcome.equals("SUCCEEDED") && action.equals("ESCALATE"))
        || (outcome.equals("FAILED_PERMANENT")
            && !Actions.VERIFIABLE.contains(RemediationAction.valueOf(action)));
  }

  private void budgetsAndHolds(List<String> out) {
    List<Span> spans = disruptions();
    Map<String, Integer> sizes = new TreeMap<>();
    Map<String, List<String>> scopesOf = new HashMap<>();
    for (var e : groupOf.entrySet()) {
      List<String> scopes = Budgets.scopes(e.getValue().name(), e.getValue().zone());
      scopesOf.put(e.getKey(), scopes);
      scopes.forEach(s -> sizes.merge(s, 1, Integer::sum));
    }
    for (var scope : sizes.entrySet()) {
      String kind =
          scope.getKey().contains(":")
              ? scope.getKey().substring(0, scope.getKey().indexOf(':'))
              : scope.getKey();
      Budgets.Limits l = policy.budgets().get(kind);
      if (l == null) {
        continue;
      }
      List<Span> in =
          spans.stream()
              .filter(
                  s ->
                      scopesOf
                          .getOrDefault(s.node(), scopesFromName(s.node()))
                          .contains(scope.getKey()))
              .toList();
      int concurrentCap = cap(l.maxConcurrent(), l.maxConcurrentPercent(), scope.getValue());
      int hourCap = cap(l.maxPerHour(), l.maxPerHourPercent(), scope.getValue());
      int peak = peak(in);
      if (concurrentCap >= 0 && peak > concurrentCap) {
        out.add(
            scope.getKey()
                + ": "
                + peak
                + " nodes in disruptive remediation at once, budget "
                + concurrentCap
                + " "
                + in);
      }
      long hour = Duration.ofHours(1).toMillis();
      for (Span s : in) {
        long started =
            in.stream().filter(x -> x.from() >= s.from() && x.from() < s.from() + hour).count();
        if (hourCap >= 0 && started > hourCap) {
          out.add(
              scope.getKey()
                  + ": "
                  + started
                  + " disruptions started within an hour, budget "
                  + hourCap);
          break;
        }
      }
    }

    // A held verdict starts nothing disruptive while held.
    Map<String, List<JsonNode>> versions =
        verdicts.stream().collect(Collectors.groupingBy(v -> v.get("verdictId").asText()));
    for (JsonNode a : audit) {
      if (!DISRUPTIVE.contains(a.get("action").asText())
          || !a.get("outcome").asText().equals("STARTED")) {
        continue;
      }
      long at = a.get("at").asLong();
      JsonNode current = null;
      for (JsonNode v : versions.getOrDefault(a.get("verdictId").asText(), List.of())) {
        if (v.get("updatedAt").asLong() + HOLD_READ_MS <= at) {
          current = v;
        }
      }
      if (current != null && current.get("held").asBoolean()) {
        out.add(
            where(a)
                + ": "
                + a.get("action").asText()
                + " STARTED while the verdict is held under "
                + current.path("incidentId").asText());
      }
    }
  }

  /** Scopes of a node not in the scenario (a replacement): its group from its name. */
  private List<String> scopesFromName(String node) {
    String group = node.replaceFirst("-\\d+$", "");
    return scenario
        .nodegroup(group)
        .map(g -> Budgets.scopes(g.name(), g.zone()))
        .orElse(List.of("global"));
  }

  private static int peak(List<Span> spans) {
    int peak = 0;
    for (Span s : spans) {
      // A span ending as another starts does not overlap it: the release goes first.
      int at =
          (int)
              spans.stream()
                  .filter(x -> x == s || (x.from() <= s.from() && s.from() < x.to()))
                  .count();
      peak = Math.max(peak, at);
    }
    return peak;
  }

  /** The budget formula of {@code Budgets}: the stricter of a count and a percent (rounded up). */
  static int cap(int count, int percent, int size) {
    int c = count > 0 ? count : Integer.MAX_VALUE;
    if (percent > 0 && size > 0) {
      c = Math.min(c, (int) ((size * (long) percent + 99) / 100)); // rounds up, like a PDB
    }
    return c == Integer.MAX_VALUE ? -1 : c;
  }

  private List<JsonNode> forVerdict(String verdictId) {
    return audit.stream()
        .filter(a -> a.get("verdictId").asText().equals(verdictId))
        .sorted(Comparator.comparingLong(a -> a.get("at").asLong()))
        .toList();
  }

  private long firstDetected(String verdictId) {
    return verdicts.stream()
        .filter(v -> v.get("verdictId").asText().equals(verdictId))
        .mapToLong(v -> v.get("updatedAt").asLong())
        .min()
        .orElse(Long.MAX_VALUE);
  }

  private static String where(JsonNode a) {
    return a.get("node").asText()
        + " (verdict "
        + a.get("verdictId").asText()
        + ", "
        + a.get("operationId").asText()
        + ")";
  }

  private static List<JsonNode> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<JsonNode> out = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  @Override
  public String toString() {
    return scenario.name()
        + " "
        + injected.entrySet().stream()
            .filter(e -> !e.getValue().isEmpty())
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }
}
