/**
 * Kernel log parsing for NVIDIA XIDs ({@code NVRM: Xid} lines of {@code /dev/kmsg}): {@link
 * io.gpuward.exporter.kmsg.KmsgParser}.
 */
package io.gpuward.exporter.kmsg;
