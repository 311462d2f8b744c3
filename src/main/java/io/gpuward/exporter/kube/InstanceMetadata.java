package io.gpuward.exporter.kube;

/**
 * What EC2 instance metadata says about the instance the exporter runs on, as read; each field is
 * null when the service did not answer it. Values are not validated here: {@link
 * InventoryCollector} checks them before they reach a record.
 *
 * @param instanceId {@code meta-data/instance-id}
 * @param instanceType {@code meta-data/instance-type}
 * @param zone {@code meta-data/placement/availability-zone}
 * @param amiId {@code meta-data/ami-id}
 * @param asgName {@code meta-data/tags/instance/aws:autoscaling:groupName}; null when instance tags
 *     are not exposed in metadata (404) or the instance is in no Auto Scaling group
 */
public record InstanceMetadata(
    String instanceId, String instanceType, String zone, String amiId, String asgName) {}
