/**
 * The simulated cloud served over the AWS wire protocols: {@link io.gpuward.sim.aws.AwsWorldServer}
 * answers EC2, Auto Scaling, SSM and EKS calls from a {@link io.gpuward.sim.aws.CloudWorld} (the
 * simulated cluster), so that gpuward's production AWS code runs unchanged against the simulator.
 * See {@code DESIGN.md} beside this file.
 */
package io.gpuward.sim.aws;
