package io.gpuward.backtest;

import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.RoleAcls;
import io.gpuward.contract.Topics;
import io.gpuward.remediation.ControlCommands;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediatorService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A shadow remediator: the real {@link RemediatorService} and {@link Remediation} with a candidate
 * policy, beside the live one on the same verdicts, control and inventory, acting on a {@link
 * ShadowWorld} that never reaches the cluster or the cloud. It plans as the live remediator does
 * (gates, correlation settle, budgets, cordon ceiling, ladders), so its audit says what the
 * candidate would have done; every record it writes is marked {@code dryRun}. Its consumer groups
 * and transactional id are the live ones' with {@link RoleAcls#SHADOW_GROUP_SUFFIX}, and its audit,
 * which its ledger is rebuilt from, is the shadow audit topic: it shares no state with the live
 * remediator. It refuses bad records as the live one does and counts them, but leaves the dead
 * letters to the live remediator.
 */
public final class Shadow {
  private Shadow() {}

  /** The shadow's group id beside the live remediator's {@code remediation.group.id}. */
  public static String groupId(String liveGroupId) {
    return liveGroupId + RoleAcls.SHADOW_GROUP_SUFFIX;
  }

  /**
   * The shadow remediator, not started.
   *
   * @param topics the deployment's topics (the shadow writes and reads {@code auditShadow})
   * @param liveGroupId the live remediator's group id
   */
  public static RemediatorService service(
      Map<String, Object> clientProps,
      Topics topics,
      Planner planner,
      Clock clock,
      String liveGroupId,
      MeterRegistry meters,
      ControlCommands.Limits limits,
      Optional<String> instanceId) {
    return new RemediatorService(
        clientProps,
        topics.forShadow(),
        audit -> remediation(planner, clock, audit, meters),
        groupId(liveGroupId),
        meters,
        limits,
        instanceId,
        false); // the live remediator dead-letters what both refuse
  }

  private static Remediation remediation(
      Planner planner, Clock clock, Consumer<RemediationRecord> audit, MeterRegistry meters) {
    ShadowWorld world = new ShadowWorld();
    // Not a dry run inside: a dry run skips every step at planning, before budgets and the ladder
    // are asked, so it could never show what a tighter budget holds back. The world is what keeps
    // the shadow from acting; the records still say dry run to whoever reads them.
    Remediation r = new Remediation(planner, world, world, marked(audit), clock, false, meters);
    world.follow(r.fleet(), r.ledger());
    return r;
  }

  private static Consumer<RemediationRecord> marked(Consumer<RemediationRecord> audit) {
    return r -> audit.accept(RemediationRecord.newBuilder(r).setDryRun(true).build());
  }
}
