package io.gpuward.sim;

import io.gpuward.fleet.InstanceType;
import java.util.TreeMap;

/** A node group as the simulator runs it (simulator thread only). */
final class GroupSim {
  final NodeGroupSpec spec;
  final InstanceType type;
  final GpuProfile profile;
  final String amiId;

  /** Whether instances register: false for an NVIDIA image on a type with no NVIDIA GPU. */
  final boolean imageBoots;

  /** Node-group-wide no-registration (replacements do not register either). */
  boolean noRegistration;

  /** Node-group-wide container start failure, inherited by replacements; null = none. */
  Injection.ContainerError containerError;

  int containerErrorFault = -1;

  /** Node-group-wide operand faults by operand, inherited by replacements. */
  final TreeMap<String, Injection.OperandMissing> operandFaults = new TreeMap<>();

  /** Utilisation of a busy GPU in this group (training ~93 %, inference ~55 %). */
  final double busyUtil;

  GroupSim(NodeGroupSpec spec, InstanceType type, long seed) {
    this.spec = spec;
    this.type = type;
    this.profile = type.hasNvidiaGpu() ? GpuProfile.of(type) : null;
    this.amiId = SimIds.amiId(seed, spec.image());
    this.imageBoots = !(spec.nvidiaImage() && !type.hasNvidiaGpu());
    this.busyUtil = type.nvidiaGpus() >= 8 ? 93 : 55;
  }

  boolean registers() {
    return imageBoots && !noRegistration;
  }

  int gpus() {
    return type.nvidiaGpus();
  }
}
