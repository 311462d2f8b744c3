package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps an XID to a fault class and action: per-code overrides first, then the catalog's action
 * (fatal actions raise GPU_XID_FATAL, or the class their category maps to, e.g. memory-ecc →
 * GPU_MEMORY_DEGRADED, nvlink → NVLINK_DEGRADED), then application categories (APP_XID). Anything
 * else raises no verdict.
 */
public final class XidPolicy {

  /** A per-code or per-category override; null fields keep what the catalog says. */
  public record Override(FaultClass faultClass, RemediationAction action, Severity severity) {}

  private final XidCatalog catalog;
  private final Map<String, RemediationAction> fatalActions;
  private final String applicationCategoryPrefix;
  private final Map<String, Override> categories;
  private final Map<Integer, Override> codes;

  public XidPolicy(
      XidCatalog catalog,
      Map<String, RemediationAction> fatalActions,
      String applicationCategoryPrefix,
      Map<String, Override> categories,
      Map<Integer, Override> codes) {
    this.catalog = catalog;
    this.fatalActions = Map.copyOf(fatalActions);
    this.applicationCategoryPrefix = applicationCategoryPrefix;
    this.categories = Map.copyOf(categories);
    this.codes = Map.copyOf(codes);
  }

  public XidCatalog catalog() {
    return catalog;
  }

  /** Every fault class an XID can raise under this policy. */
  public Set<FaultClass> faultClasses() {
    Set<FaultClass> out = EnumSet.of(FaultClass.GPU_XID_FATAL, FaultClass.APP_XID);
    for (Override o : categories.values()) {
      if (o.faultClass() != null) {
        out.add(o.faultClass());
      }
    }
    for (Override o : codes.values()) {
      if (o.faultClass() != null) {
        out.add(o.faultClass());
      }
    }
    return out;
  }

  /** The classification of {@code xid}, or empty when it raises no verdict. */
  public Optional<XidClassification> classify(int xid) {
    Optional<XidEntry> entry = catalog.find(xid);
    String name = entry.map(XidEntry::name).orElse("XID " + xid + " (not in catalog)");
    Override code = codes.get(xid);
    if (code != null && code.faultClass() != null) {
      return Optional.of(
          new XidClassification(
              xid,
              code.faultClass(),
              orElse(code.action(), RemediationAction.ESCALATE),
              orElse(code.severity(), Severity.CRITICAL),
              "xid.code." + xid,
              name));
    }
    if (entry.isEmpty()) {
      // An XID the catalog does not know: a human should look, nothing automatic.
      return Optional.of(
          new XidClassification(
              xid,
              FaultClass.GPU_XID_FATAL,
              RemediationAction.ESCALATE,
              Severity.MAJOR,
              "xid.unknown",
              name));
    }
    XidEntry e = entry.get();
    RemediationAction fatal = fatalActions.get(e.action());
    if (fatal != null) {
      Override cat = categories.get(e.category());
      RemediationAction action = fatal;
      Severity severity = catalogSeverity(e.severity());
      FaultClass faultClass = FaultClass.GPU_XID_FATAL;
      if (cat != null) {
        faultClass = orElse(cat.faultClass(), faultClass);
        action = orElse(cat.action(), action);
        severity = orElse(cat.severity(), severity);
      }
      if (code != null) {
        action = orElse(code.action(), action);
        severity = orElse(code.severity(), severity);
      }
      return Optional.of(
          new XidClassification(
              xid, faultClass, action, severity, "xid.catalog." + e.action(), name));
    }
    if (e.category().startsWith(applicationCategoryPrefix)) {
      return Optional.of(
          new XidClassification(
              xid,
              FaultClass.APP_XID,
              RemediationAction.NONE,
              Severity.INFO,
              "xid.application",
              name));
    }
    return Optional.empty();
  }

  private static Severity catalogSeverity(String s) {
    return switch (s) {
      case "CRITICAL" -> Severity.CRITICAL;
      case "WARNING" -> Severity.WARNING;
      case "INFO" -> Severity.INFO;
      default -> Severity.MAJOR;
    };
  }

  private static <T> T orElse(T value, T dflt) {
    return value != null ? value : dflt;
  }
}
