package io.gpuward.kube;

/**
 * What the cloud says about the instance behind a node, as read: EC2 instance metadata on the node
 * (the exporter) or EC2 DescribeInstances (the watcher). Each field is null when the source did not
 * answer it. Values are not validated here: {@link NodeInventories} checks them before they reach a
 * record.
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
