/**
 * The node exporter: what runs on every GPU node and publishes its telemetry.
 *
 * <ul>
 *   <li>{@link io.gpuward.exporter.dcgm.DcgmParser} turns a dcgm-exporter {@code /metrics} page
 *       into one {@code GpuSample} per GPU; {@link io.gpuward.exporter.kmsg.KmsgParser} turns
 *       kernel log lines into {@code XidEvent}s. Both are pure, never throw on input, and back
 *       {@code gpuward inspect}.
 *   <li>{@link io.gpuward.exporter.ExporterService} scrapes, follows the kernel log, heartbeats,
 *       and publishes through a {@link io.gpuward.exporter.BufferedSink} in front of the {@link
 *       io.gpuward.exporter.TelemetryPublisher}.
 *   <li>{@link io.gpuward.exporter.SignalSource} is the seam for the Kubernetes node and event
 *       watcher: it publishes through the same buffer.
 * </ul>
 *
 * <p><b>Why a buffer in front of the producer.</b> A node must never stall because the broker is
 * away. The producer's {@code max.block.ms} is 1 s, so a send never blocks long; the drain thread
 * learns from {@link io.gpuward.exporter.ProducerFlow} (a producer interceptor) when sends fail or
 * too many are unacknowledged, and then holds records in the buffer, where the drop policy applies:
 * old GPU samples are worth little once a newer scrape exists, XIDs are evidence that happened
 * once, so samples go first and XIDs last. Records the producer accepted and that later time out
 * ({@code delivery.timeout.ms}, 5 min) are lost and counted; the XIDs of a restarted exporter come
 * back from {@code /dev/kmsg} with the same event ids.
 *
 * <p><b>Why the node comes from the exporter.</b> dcgm-exporter's {@code Hostname} label is its pod
 * name when {@code NODE_NAME} is not set; the exporter keys everything by its own node ({@code
 * --node}, {@code NODE_NAME}), so GPU samples and XIDs of one node meet under one key.
 *
 * <p><b>Why the kernel log starts after the first scrape.</b> {@code /dev/kmsg} replays the ring
 * buffer at open; waiting for the first scrape lets those XIDs carry the GPU UUID (the scrape
 * teaches the parser each GPU's PCI address), which the engine keys GPUs by.
 */
package io.gpuward.exporter;
