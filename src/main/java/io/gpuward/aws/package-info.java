/**
 * AWS SDK v2 clients shared by the roles that talk to AWS: the remediator (EC2, Auto Scaling, SSM,
 * EKS actions) and the watcher (reads of the cluster's instances). It sits below both so that
 * neither role depends on the other; the calls themselves, and their IAM policies, stay with each
 * role.
 */
package io.gpuward.aws;
