package io.gpuward.engine.domain;

/**
 * One row of NVIDIA's XID catalog as shipped in {@code streams/xid-catalog.csv}.
 *
 * @param xid XID code
 * @param name short name
 * @param category catalog category, e.g. pcie-bus, memory-ecc, application/graphics-engine
 * @param severity catalog severity: INFO, WARNING, CRITICAL or UNKNOWN
 * @param action catalog recommended action, e.g. RESET_GPU, REBOOT_NODE, RESTART_APP, NONE
 */
public record XidEntry(int xid, String name, String category, String severity, String action) {}
