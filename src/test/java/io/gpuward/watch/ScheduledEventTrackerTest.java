package io.gpuward.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduledEventTrackerTest {
  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  static final Instant NOT_BEFORE = Instant.parse("2026-12-07T12:00:00Z");
  static final String ID = "i-0a1b2c3d4e5f60718";
  static final String NODE = "ip-10-0-1-5.ec2.internal";

  final ScheduledEventTracker tracker = new ScheduledEventTracker(Clock.fixed(NOW, ZoneOffset.UTC));

  static ScheduledEvent retirement(String description) {
    return new ScheduledEvent(
        ID, "instance-event-0d5", "instance-retirement", description, NOT_BEFORE, null);
  }

  @Test
  void shouldPublishANewEventWithItsCodeWindowAndState() {
    List<NodeEvent> out =
        tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE));

    assertThat(out).hasSize(1);
    NodeEvent e = out.get(0);
    assertThat(e.getKind()).isEqualTo(NodeEventKind.SCHEDULED_EVENT);
    assertThat(e.getNode()).isEqualTo(NODE);
    assertThat(e.getReason()).isEqualTo("instance-retirement");
    assertThat(e.getNotBefore()).isEqualTo(NOT_BEFORE);
    assertThat(e.getNotAfter()).isNull();
    assertThat(e.getScheduledState()).isEqualTo("scheduled");
    assertThat(e.getEventTime()).isEqualTo(NOW);
    assertThat(e.getEventId())
        .isEqualTo(
            NODE
                + "/SCHEDULED_EVENT/"
                + ID
                + "/instance-event-0d5/"
                + NOT_BEFORE.toEpochMilli()
                + "/scheduled");
  }

  @Test
  void shouldPublishAnEventOnceWhileItIsListedUnchanged() {
    tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE));

    assertThat(tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE)))
        .isEmpty();
  }

  @Test
  void shouldPublishAgainWhenTheEventCompletesOrIsCanceled() {
    tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE));

    List<NodeEvent> done =
        tracker.observe(List.of(retirement("[Completed] degraded hardware")), Map.of(ID, NODE));
    List<NodeEvent> canceled =
        new ScheduledEventTracker(Clock.fixed(NOW, ZoneOffset.UTC))
            .observe(List.of(retirement("[Canceled] degraded hardware")), Map.of(ID, NODE));

    assertThat(done).extracting(NodeEvent::getScheduledState).containsExactly("completed");
    assertThat(canceled).extracting(NodeEvent::getScheduledState).containsExactly("canceled");
  }

  @Test
  void shouldPublishAgainWhenEc2MovesTheWindow() {
    tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE));
    ScheduledEvent moved =
        new ScheduledEvent(
            ID,
            "instance-event-0d5",
            "instance-retirement",
            "degraded hardware",
            NOT_BEFORE.plusSeconds(3600),
            null);

    assertThat(tracker.observe(List.of(moved), Map.of(ID, NODE))).hasSize(1);
  }

  @Test
  void shouldWaitForANodeNameBeforePublishing() {
    assertThat(tracker.observe(List.of(retirement("degraded hardware")), Map.of())).isEmpty();

    assertThat(tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE)))
        .hasSize(1);
  }

  @Test
  void shouldSendAnEventAgainWhoseSendFailed() {
    NodeEvent e =
        tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE)).get(0);

    tracker.unpublished(e);

    assertThat(tracker.observe(List.of(retirement("degraded hardware")), Map.of(ID, NODE)))
        .extracting(NodeEvent::getEventId)
        .containsExactly(e.getEventId());
  }
}
