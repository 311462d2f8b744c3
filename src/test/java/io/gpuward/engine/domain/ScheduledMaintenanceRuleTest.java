package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationAction;
import io.gpuward.engine.NodeStateSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduledMaintenanceRuleTest {
  static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  static final String NODE = "p5-train-1";

  final ScheduledMaintenanceRule rule =
      new ScheduledMaintenanceRule(ScheduledMaintenanceParams.DEFAULTS);
  final NodeState state = new NodeState();

  static CloudScheduledEvent event(String code, Instant notBefore, Instant notAfter, String st) {
    return CloudScheduledEvent.newBuilder()
        .setEventId("instance-event-" + code)
        .setCode(code)
        .setDescription("The instance is running on degraded hardware")
        .setNotBefore(notBefore)
        .setNotAfter(notAfter)
        .setState(st)
        .build();
  }

  private Optional<Signal> list(NodeState s, CloudScheduledEvent... listed) {
    return rule.onListing(
        s, NODE, List.of(listed), Evidences.of(Evidences.NONE, null, T0, "x").build(), T0);
  }

  private List<Signal.Detected> report(CloudScheduledEvent e, Instant now) {
    List<CloudScheduledEvent> listed = new ArrayList<>();
    state.scheduledEvents.values().stream()
        .filter(s -> !s.eventId().equals(e.getEventId()))
        .map(s -> event(s.code(), Instant.ofEpochMilli(s.notBefore()), null, "scheduled"))
        .forEach(listed::add);
    listed.add(e);
    list(state, listed.toArray(CloudScheduledEvent[]::new));
    return rule.evaluate(NODE, state, now);
  }

  @Test
  void shouldReplaceARetiringInstanceBeforeTheWindowValidUntilItsEnd() {
    Instant start = T0.plus(Duration.ofMinutes(30));

    List<Signal.Detected> out = report(event("instance-retirement", start, null, "scheduled"), T0);

    assertThat(out)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.faultClass()).isEqualTo(FaultClass.SCHEDULED_MAINTENANCE);
              assertThat(d.action()).isEqualTo(RemediationAction.REPLACE);
              assertThat(d.validUntil()).isEqualTo(start.plus(Duration.ofHours(2)));
              assertThat(d.evidence().getWindowStart()).isEqualTo(start);
              assertThat(d.summary()).contains("instance-retirement", start.toString());
            });
  }

  @Test
  void shouldPickTheActionByEventCode() {
    Instant start = T0.plus(Duration.ofHours(1));
    Instant end = start.plus(Duration.ofHours(2));
    var p = ScheduledMaintenanceParams.DEFAULTS;

    assertThat(p.action("instance-stop")).isEqualTo(RemediationAction.REPLACE);
    assertThat(p.action("system-reboot")).isEqualTo(RemediationAction.DRAIN);
    assertThat(p.action("system-maintenance")).isEqualTo(RemediationAction.DRAIN);
    assertThat(p.action("instance-reboot")).isEqualTo(RemediationAction.REBOOT);
    assertThat(p.action("something-new")).isEqualTo(RemediationAction.ESCALATE);
    assertThat(report(event("system-reboot", start, end, "scheduled"), T0))
        .singleElement()
        .satisfies(d -> assertThat(d.validUntil()).isEqualTo(end));
  }

  @Test
  void shouldWaitUntilTheStartIsWithinTheLead() {
    Instant start = T0.plus(Duration.ofDays(2));

    assertThat(report(event("instance-retirement", start, null, "scheduled"), T0)).isEmpty();
    assertThat(rule.evaluate(NODE, state, start.minus(Duration.ofHours(24))))
        .extracting(Signal.Detected::eventTime)
        .containsExactly(start.minus(Duration.ofHours(24)));
  }

  @Test
  void shouldRaiseAnEventOnceAndNothingOnceItsStartPassed() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("instance-retirement", start, null, "scheduled"), T0);

    assertThat(rule.evaluate(NODE, state, T0.plusSeconds(1))).isEmpty();
    NodeState late = new NodeState();
    list(late, event("instance-retirement", T0, null, "scheduled"));
    assertThat(rule.evaluate(NODE, late, T0)).isEmpty();
  }

  @Test
  void shouldRecoverWhenTheEventCompletesOrIsCanceled() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("instance-retirement", start, null, "scheduled"), T0);

    Optional<Signal> done = list(state, event("instance-retirement", start, null, "completed"));

    assertThat(done)
        .get()
        .isInstanceOfSatisfying(
            Signal.Recovered.class,
            r -> {
              assertThat(r.classes()).containsExactly(FaultClass.SCHEDULED_MAINTENANCE);
              assertThat(r.ruleId()).isEqualTo(ScheduledMaintenanceRule.RULE_ID);
            });
    assertThat(state.scheduledEvents).isEmpty();
  }

  @Test
  void shouldRecoverACanceledRebootAtOnce() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-reboot", start, null, "scheduled"), T0);

    assertThat(list(state, event("system-reboot", start, null, "canceled"))).isPresent();
    assertThat(state.returning).isNull();
  }

  @Test
  void shouldKeepACompletedHostRebootOpenUntilTheNodeIsBackRebootedAndReady() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-reboot", start, null, "scheduled"), T0);
    state.ready = false; // EC2 lists it completed while the host still boots
    Evidence ev = Evidences.of(Evidences.NONE, null, start, "x").build();

    assertThat(list(state, event("system-reboot", start, null, "completed"))).isEmpty();
    assertThat(rule.cloudRebooting(state, start.plusSeconds(10))).isTrue();

    state.rebootedAt = start.plusSeconds(40).toEpochMilli();
    assertThat(rule.onNodeBack(state, NODE, ev, start.plusSeconds(40)))
        .as("rebooted, not Ready yet")
        .isEmpty();
    state.ready = true;
    assertThat(rule.onNodeBack(state, NODE, ev, start.plusSeconds(45)))
        .get()
        .isInstanceOfSatisfying(
            Signal.Recovered.class,
            r -> {
              assertThat(r.classes()).containsExactly(FaultClass.SCHEDULED_MAINTENANCE);
              assertThat(r.reason()).contains("system-reboot", "rebooted and Ready");
            });
    assertThat(state.returning).isNull();
    assertThat(rule.cloudRebooting(state, start.plusSeconds(50))).isFalse();
  }

  @Test
  void shouldNotTakeARebootBeforeTheWindowForTheHostReboot() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    state.rebootedAt = T0.toEpochMilli(); // gpuward's own reboot, before the window
    state.ready = true;
    report(event("system-reboot", start, null, "scheduled"), T0);

    assertThat(list(state, event("system-reboot", start, null, "completed"))).isEmpty();
    assertThat(state.returning).isNotNull();
  }

  @Test
  void shouldRecoverACompletedRebootAtOnceWhenTheNodeIsAlreadyBack() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-reboot", start, null, "scheduled"), T0);
    state.rebootedAt = start.plusSeconds(30).toEpochMilli();
    state.ready = true;

    assertThat(list(state, event("system-reboot", start, null, "completed"))).isPresent();
  }

  @Test
  void shouldRecoverAMaintainedNodeOnceReadyWithoutAReboot() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-maintenance", start, null, "scheduled"), T0);
    state.ready = false;
    Evidence ev = Evidences.of(Evidences.NONE, null, start, "x").build();

    assertThat(list(state, event("system-maintenance", start, null, "completed"))).isEmpty();
    assertThat(rule.cloudRebooting(state, start)).as("maintenance is no reboot").isFalse();
    state.ready = true;
    assertThat(rule.onNodeBack(state, NODE, ev, start.plusSeconds(60))).isPresent();
  }

  @Test
  void shouldRecoverAtTheWindowsEndWhenTheRebootWasNeverSeen() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-reboot", start, null, "scheduled"), T0);
    list(state, event("system-reboot", start, null, "completed"));

    Instant end = start.plus(ScheduledMaintenanceParams.DEFAULTS.openEndedWindow());
    assertThat(rule.windowEnded(NODE, state, end.minusSeconds(1))).isEmpty();
    assertThat(rule.windowEnded(NODE, state, end))
        .get()
        .isInstanceOfSatisfying(
            Signal.Recovered.class, r -> assertThat(r.reason()).contains("window ended"));
  }

  @Test
  void shouldNotRecoverWhileAnotherRaisedEventIsOpenOnTheNode() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    report(event("system-reboot", start, null, "scheduled"), T0);
    report(event("instance-retirement", start.plusSeconds(60), null, "scheduled"), T0);

    assertThat(
            list(
                state,
                event("system-reboot", start, null, "canceled"),
                event("instance-retirement", start.plusSeconds(60), null, "scheduled")))
        .isEmpty();
  }

  @Test
  void shouldRecoverAfterEc2MovedTheWindowAndTheMovedEventCompleted() {
    Instant start = T0.plus(Duration.ofMinutes(5));
    Instant later = start.plus(Duration.ofHours(1));
    report(event("system-reboot", start, null, "scheduled"), T0);
    report(event("system-reboot", later, null, "scheduled"), T0);
    state.rebootedAt = later.plusSeconds(30).toEpochMilli();

    assertThat(state.scheduledEvents).hasSize(1);
    assertThat(list(state, event("system-reboot", later, null, "completed"))).isPresent();
  }

  @Test
  void shouldCapValidityAtLessThanAWeek() {
    Instant start = T0.plus(Duration.ofHours(1));

    List<Signal.Detected> out =
        report(
            event("system-maintenance", start, start.plus(Duration.ofDays(30)), "scheduled"), T0);

    assertThat(out.get(0).validUntil()).isEqualTo(T0.plus(Duration.ofDays(6)));
  }

  @Test
  void shouldRecoverWhenTheRaisedEventIsNoLongerListed() {
    report(event("instance-retirement", T0.plus(Duration.ofMinutes(5)), null, "scheduled"), T0);

    assertThat(list(state))
        .get()
        .isInstanceOfSatisfying(
            Signal.Recovered.class, r -> assertThat(r.reason()).contains("no longer listed"));
  }

  @Test
  void shouldKeepWhatItKnewWhenTheCloudWasNotAsked() {
    report(event("instance-retirement", T0.plus(Duration.ofMinutes(5)), null, "scheduled"), T0);

    Optional<Signal> out =
        rule.onListing(state, NODE, null, Evidences.of(Evidences.NONE, null, T0, "x").build(), T0);

    assertThat(out).isEmpty();
    assertThat(state.scheduledEvents).hasSize(1);
  }

  @Test
  void shouldKeepAtMostSixteenEventsOfANode() {
    CloudScheduledEvent[] many = new CloudScheduledEvent[40];
    for (int i = 0; i < many.length; i++) {
      many[i] = event("system-reboot-" + i, T0.plus(Duration.ofDays(2)), null, "scheduled");
    }

    list(state, many);

    assertThat(state.scheduledEvents).hasSize(ScheduledMaintenanceRule.MAX_EVENTS);
  }

  @Test
  void shouldKeepScheduledEventsInTheNodeStateStoreFormat() {
    report(event("instance-retirement", T0.plus(Duration.ofHours(1)), null, "scheduled"), T0);
    var serde = new NodeStateSerde();

    NodeState back =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));

    assertThat(back.scheduledEvents).isEqualTo(state.scheduledEvents);
    assertThat(back.scheduledEvents.values()).allMatch(NodeState.Scheduled::raised);
  }

  @Test
  void shouldOpenTheVerdictValidUntilTheRuleSays() {
    Instant start = T0.plus(Duration.ofMinutes(30));
    Signal.Detected d = report(event("instance-retirement", start, null, "scheduled"), T0).get(0);

    FaultVerdict v =
        new VerdictDecider(RuleCatalog.load())
            .onDetected(Optional.empty(), d, NodeContext.UNKNOWN)
            .emit()
            .orElseThrow();

    assertThat(v.getValidUntil()).isEqualTo(d.validUntil());
    assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.REPLACE);
  }

  @Test
  void shouldRefuseALeadLongerThanThreeDays() {
    assertThatThrownBy(
            () ->
                new ScheduledMaintenanceParams(
                    Duration.ofDays(4), Duration.ofHours(2), Map.of(), RemediationAction.NONE))
        .hasMessageContaining("scheduledEvents.lead");
  }
}
