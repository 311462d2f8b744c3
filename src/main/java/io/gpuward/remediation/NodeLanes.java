package io.gpuward.remediation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs work for one node strictly in order, and work for different nodes concurrently: a long drain
 * on one node never delays a cordon on another. A node always maps to the same lane.
 */
final class NodeLanes implements AutoCloseable {
  private final List<ExecutorService> lanes = new ArrayList<>();

  NodeLanes(int count) {
    for (int i = 0; i < count; i++) {
      int n = i;
      lanes.add(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "gpuward-remediator-lane-" + n);
                t.setDaemon(true);
                return t;
              }));
    }
  }

  void submit(String node, Runnable work) {
    lanes.get(Math.floorMod(node.hashCode(), lanes.size())).execute(work);
  }

  @Override
  public void close() {
    lanes.forEach(ExecutorService::shutdown);
    for (ExecutorService e : lanes) {
      try {
        if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
          e.shutdownNow();
        }
      } catch (InterruptedException ex) {
        e.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
