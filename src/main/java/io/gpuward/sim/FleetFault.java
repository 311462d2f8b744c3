package io.gpuward.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The ground truth of one fault a generated fleet run injects: what happened, where, when, and the
 * verdict gpuward ought to give it.
 *
 * @param id stable id within the run ({@code f<index>}), the index of the scenario fault
 * @param cause the published interruption cause it stands for (a {@link FleetMix.Cause} name)
 * @param node the node it hits
 * @param gpu the GPU index it hits, or -1 for a node-wide fault
 * @param at offset from the scenario start
 * @param expectedClass the {@code FaultClass} name gpuward should open for it
 * @param remediate whether acting on the node is right: false for application XIDs, where cordoning
 *     or resetting only moves the user's bug to another node
 * @param recovers whether the fault ends by itself within the run (a transient hang, a link or
 *     cooling fault with an end)
 */
public record FleetFault(
    String id,
    String cause,
    String node,
    int gpu,
    Duration at,
    String expectedClass,
    boolean remediate,
    boolean recovers) {

  public FleetFault {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(expectedClass, "expectedClass");
  }
}
