package io.gpuward.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.MicroTime;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading core/v1 Events: when, who, which occurrence. */
public final class KubeEvents {
  private KubeEvents() {}

  /**
   * When the (latest occurrence of the) event happened: series last-observed time, {@code
   * lastTimestamp}, {@code eventTime}, {@code firstTimestamp}, creation time, else the clock.
   */
  public static Instant time(Event e, Clock clock) {
    Instant t =
        KubeTimes.first(
            e.getSeries() != null ? micro(e.getSeries().getLastObservedTime()) : null,
            e.getLastTimestamp(),
            micro(e.getEventTime()),
            e.getFirstTimestamp(),
            e.getMetadata() != null ? e.getMetadata().getCreationTimestamp() : null);
    return t != null ? t : clock.instant();
  }

  private static String micro(MicroTime t) {
    return t == null ? null : t.getTime();
  }

  /** The component that reported the event, else "exporter". */
  public static String source(Event e) {
    if (e.getSource() != null && notBlank(e.getSource().getComponent())) {
      return e.getSource().getComponent();
    }
    if (notBlank(e.getReportingComponent())) {
      return e.getReportingComponent();
    }
    return "exporter";
  }

  /** The node that reported the event (kubelet events carry it), or null. */
  public static String host(Event e) {
    if (e.getSource() != null && notBlank(e.getSource().getHost())) {
      return e.getSource().getHost();
    }
    return null;
  }

  /** How many times the event has happened (series count, count, else 1). */
  public static int count(Event e) {
    if (e.getSeries() != null && e.getSeries().getCount() != null) {
      return Math.max(1, e.getSeries().getCount());
    }
    return e.getCount() != null ? Math.max(1, e.getCount()) : 1;
  }

  /**
   * Identifies one occurrence of an event object: a repeat bumps the count and the time, an update
   * that changes neither is the same occurrence.
   */
  public static String occurrence(Event e) {
    return count(e) + "@" + e.getLastTimestamp() + "@" + micro(e.getEventTime());
  }

  /** The event's uid, else namespace/name. */
  public static String uid(Event e) {
    if (e.getMetadata() == null) {
      return "unknown";
    }
    if (notBlank(e.getMetadata().getUid())) {
      return e.getMetadata().getUid();
    }
    return e.getMetadata().getNamespace() + "/" + e.getMetadata().getName();
  }

  public static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  /** An insertion-ordered map that forgets its eldest entries beyond {@code max}. */
  public static <K, V> Map<K, V> bounded(int max) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
