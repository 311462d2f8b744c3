/**
 * Kernel log parsing for NVIDIA XIDs: {@link io.gpuward.exporter.kmsg.KmsgParser}. Reference:
 * {@code /work/shared/domain/dcgm-fields.md} §6.
 */
package io.gpuward.exporter.kmsg;
