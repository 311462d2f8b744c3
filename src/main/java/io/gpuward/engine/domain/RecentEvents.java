package io.gpuward.engine.domain;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The node's recently applied kube event ids, so that a fact reported twice is applied once. The
 * control-plane watcher and the node's exporter both watch the Node and publish the same fact under
 * the same deterministic id ({@code <node>/<KIND>/<suffix>}), seconds apart and interleaved with
 * other events; a new watcher leader republishes current state under the ids it had before. A
 * repeat applied again would count a container start failure or a reboot twice, or flip the Ready
 * state back to what an interleaved later event already changed.
 *
 * <p>The state keeps a 64-bit hash per id, not the id, and only the newest {@link #CAPACITY}: the
 * two reports of one fact arrive within seconds, and the node state is rewritten on every event.
 */
final class RecentEvents {
  /** Ids remembered per node. */
  static final int CAPACITY = 64;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private RecentEvents() {}

  /**
   * Whether {@code eventId} is new to the node; remembers it (evicting the oldest beyond {@link
   * #CAPACITY}). A null id is always new: nothing identifies its repeats.
   */
  static boolean firstSeen(NodeState s, String eventId) {
    if (eventId == null) {
      return true;
    }
    long h = hash(eventId);
    if (!s.recentEventIds.add(h)) {
      return false;
    }
    Iterator<Long> oldest = s.recentEventIds.iterator();
    while (s.recentEventIds.size() > CAPACITY) {
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  /** FNV-1a over the id's UTF-8 bytes. */
  static long hash(String id) {
    long h = FNV_OFFSET;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }
}
