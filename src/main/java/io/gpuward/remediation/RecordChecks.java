package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.NodeNames;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a verdict or an inventory record must look like before the remediator lets it near a node:
 * well-formed identifiers, bounded sizes, sane times. Anyone who can write to a topic can write a
 * record that decodes; these checks keep an absurd one from planning an action or sizing a budget.
 * Pure: each check returns the reason a record is refused, or empty.
 */
public final class RecordChecks {
  /** Longest node name Kubernetes accepts (a DNS-1123 subdomain). */
  public static final int MAX_NODE_NAME = NodeNames.MAX_LENGTH;

  /** Longest id (verdict, command, instance, rule) or short name (node group, zone). */
  public static final int MAX_ID = 256;

  /** Longest free text (summary, fix hint, reason, label value). */
  public static final int MAX_TEXT = 4096;

  /** Most elements of a list or map (GPUs, evidence, labels). */
  public static final int MAX_ELEMENTS = 256;

  /**
   * Furthest ahead a verdict's validUntil may lie. The engine's longest time to live is hours; a
   * verdict valid for weeks would be acted on long after its evidence went stale.
   */
  public static final Duration MAX_VALID_AHEAD = Duration.ofDays(7);

  /** Ids and names: printable ASCII without blanks, so they are safe in logs and scopes. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:/@+=-]+");

  private RecordChecks() {}

  /** Whether {@code s} is a valid Kubernetes node name (DNS-1123 subdomain, at most 253). */
  public static boolean isNodeName(String s) {
    return NodeNames.isValid(s);
  }

  /** Whether {@code s} is a non-blank id of at most {@link #MAX_ID} safe characters. */
  public static boolean isToken(String s) {
    return s != null && s.length() <= MAX_ID && TOKEN.matcher(s).matches();
  }

  /** Why the verdict read under {@code key} is refused at {@code now}, or empty. */
  public static Optional<String> verdict(String key, FaultVerdict v, Instant now) {
    if (!isToken(v.getVerdictId())) {
      return Optional.of("verdictId " + describe(v.getVerdictId()) + " is not a valid id");
    }
    Optional<String> node = nodeKey(key, v.getNode());
    if (node.isPresent()) {
      return node;
    }
    Optional<String> sizes =
        firstProblem(
            optionalToken("nodegroup", v.getNodegroup()),
            optionalToken("zone", v.getZone()),
            optionalToken("instanceId", v.getInstanceId()),
            optionalToken("incidentId", v.getIncidentId()),
            text("ruleId", v.getRuleId()),
            text("ruleVersion", v.getRuleVersion()),
            text("summary", v.getSummary()),
            text("fixHint", v.getFixHint()),
            text("clearReason", v.getClearReason()),
            elements("gpus", v.getGpus()),
            elements("evidence", v.getEvidence()));
    return sizes.isPresent() ? sizes : times(v, now);
  }

  /** Why the inventory record read under {@code key} is refused, or empty. */
  public static Optional<String> inventory(String key, NodeInventory inv) {
    Optional<String> node = nodeKey(key, inv.getNode());
    if (node.isPresent()) {
      return node;
    }
    return firstProblem(
        optionalToken("nodegroup", inv.getNodegroup()),
        optionalToken("zone", inv.getZone()),
        optionalToken("asgName", inv.getAsgName()),
        optionalToken("instanceId", inv.getInstanceId()),
        text("image", inv.getImage()),
        labels(inv.getLabels()));
  }

  /**
   * Why the fleet incident read under {@code key} is refused, or empty. The topic is keyed by
   * scope; an incident's nodes must be node names.
   */
  public static Optional<String> incident(String key, FleetIncident i) {
    if (!i.getScope().equals(key)) {
      return Optional.of(
          "key " + describe(key) + " is not the incident's scope " + describe(i.getScope()));
    }
    Optional<String> bad =
        i.getNodes().stream()
            .filter(n -> !isNodeName(n))
            .findFirst()
            .map(
                n ->
                    "node "
                        + describe(n)
                        + " is not a Kubernetes node name (DNS-1123, at most 253)");
    return firstProblem(
        bad,
        isToken(i.getIncidentId())
            ? Optional.empty()
            : Optional.of("incidentId " + describe(i.getIncidentId()) + " is not a token"),
        text("scope", i.getScope()),
        text("signature", i.getSignature()));
  }

  private static Optional<String> nodeKey(String key, String node) {
    if (!isNodeName(node)) {
      return Optional.of(
          "node " + describe(node) + " is not a Kubernetes node name (DNS-1123, at most 253)");
    }
    if (!node.equals(key)) {
      return Optional.of("key " + describe(key) + " is not the record's node " + node);
    }
    return Optional.empty();
  }

  private static Optional<String> times(FaultVerdict v, Instant now) {
    if (v.getValidUntil().isBefore(v.getDetectedAt())) {
      return Optional.of(
          "validUntil " + v.getValidUntil() + " is before detectedAt " + v.getDetectedAt());
    }
    if (v.getValidUntil().isAfter(now.plus(MAX_VALID_AHEAD))) {
      return Optional.of(
          "validUntil "
              + v.getValidUntil()
              + " is more than "
              + MAX_VALID_AHEAD.toDays()
              + " days ahead of "
              + now);
    }
    return Optional.empty();
  }

  @SafeVarargs
  private static Optional<String> firstProblem(Optional<String>... checks) {
    for (Optional<String> c : checks) {
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> optionalToken(String field, String s) {
    return s == null || isToken(s)
        ? Optional.empty()
        : Optional.of(field + " " + describe(s) + " is not a valid id");
  }

  private static Optional<String> text(String field, String s) {
    return s == null || s.length() <= MAX_TEXT
        ? Optional.empty()
        : Optional.of(field + " is " + s.length() + " characters (limit " + MAX_TEXT + ")");
  }

  private static Optional<String> elements(String field, List<?> list) {
    return list.size() <= MAX_ELEMENTS
        ? Optional.empty()
        : Optional.of(field + " has " + list.size() + " elements (limit " + MAX_ELEMENTS + ")");
  }

  private static Optional<String> labels(Map<String, String> labels) {
    if (labels.size() > MAX_ELEMENTS) {
      return Optional.of("labels has " + labels.size() + " entries (limit " + MAX_ELEMENTS + ")");
    }
    for (var e : labels.entrySet()) {
      if (e.getKey().length() > MAX_ID
          || (e.getValue() != null && e.getValue().length() > MAX_TEXT)) {
        return Optional.of("label " + describe(e.getKey()) + " is oversized");
      }
    }
    return Optional.empty();
  }

  /** A value for a reason: quoted, cut to a readable length, never the whole of a 10 KB string. */
  static String describe(String s) {
    if (s == null) {
      return "(none)";
    }
    String cut = s.length() > 64 ? s.substring(0, 64) + "… (" + s.length() + " chars)" : s;
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
