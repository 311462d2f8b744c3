/**
 * dcgm-exporter {@code /metrics} parsing: {@link io.gpuward.exporter.dcgm.DcgmParser} and the
 * metric-to-field table {@code DcgmField}. Reference: {@code /work/shared/domain/dcgm-fields.md}.
 */
package io.gpuward.exporter.dcgm;
