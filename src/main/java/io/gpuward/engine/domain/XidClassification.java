package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;

/**
 * What the rules make of one XID code.
 *
 * @param xid the code
 * @param faultClass class of verdict it raises
 * @param action action recommended
 * @param severity severity
 * @param ruleId rule that decided it, e.g. xid.catalog.RESET_GPU, xid.code.79
 * @param name catalog name of the XID
 */
public record XidClassification(
    int xid,
    FaultClass faultClass,
    RemediationAction action,
    Severity severity,
    String ruleId,
    String name) {}
