/**
 * The AWS side of remediation: {@link io.gpuward.remediation.aws.AwsCloudActuator} implements
 * {@link io.gpuward.remediation.port.CloudPort} with the AWS SDK v2 (EC2 {@code RebootInstances},
 * Auto Scaling {@code TerminateInstanceInAutoScalingGroup} / {@code SetInstanceHealth}, SSM {@code
 * SendCommand} + {@code GetCommandInvocation}); {@link
 * io.gpuward.remediation.aws.NodegroupResolver} maps EKS managed node groups to their Auto Scaling
 * groups; {@link io.gpuward.remediation.aws.AwsFailures} classifies SDK failures as transient,
 * permanent or ambiguous.
 *
 * <p>Every client is built by {@link io.gpuward.aws.AwsClients#create} with the URL connection HTTP
 * client, the SDK's standard retry strategy with few attempts and short API timeouts. The
 * least-privilege IAM policy for exactly these calls is {@code deploy/iam/remediator-policy.json}.
 */
package io.gpuward.remediation.aws;
