/**
 * The fleet simulator: scenario files, a simulated EKS GPU fleet, and a simulated cluster and cloud
 * that the remediator acts on. Pure Java; no Kafka imports.
 *
 * <h2>What the world emits, and where gpuward takes over</h2>
 *
 * The simulator plays the world, not gpuward. Per node and tick, {@link GpuTelemetry} reads the
 * GPUs, {@link DcgmExposition} renders them as dcgm-exporter's {@code /metrics} page, and {@link
 * KernelLog} writes the driver's {@code /dev/kmsg} records (XIDs, and the {@code NVRM: GPU at}
 * lines of each boot). They go to the exporter's {@link io.gpuward.exporter.NodeFeed} port; by
 * default an {@link io.gpuward.exporter.ExporterFleet}, whose per-node {@link
 * io.gpuward.exporter.NodePipeline} is the code {@code gpuward exporter} runs, parses them and
 * publishes GpuSamples, XidEvents and exporter heartbeats. Kubernetes events and inventory are
 * still written straight to the {@link io.gpuward.contract.TelemetrySink}. See DESIGN.md here.
 *
 * <h2>Driving it</h2>
 *
 * <pre>{@code
 * Scenario scenario = ScenarioLoader.loadDefault();          // or ScenarioLoader.load(path)
 * Instant start = SimTimeline.start(scenario.start(), Instant.now(), scenario.duration(), speed);
 * SimClock clock = SimClock.notAfter(start, speed, Clock.systemUTC()); // one clock for everybody
 * SimulatedCluster cluster = new SimulatedCluster(clock);   // ClusterPort + CloudPort for the remediator
 * FleetSimulator sim =
 *     new FleetSimulator(scenario, InstanceTypeCatalog.load(), cluster, sink, clock.start());
 * SimulationRunner runner = SimulationRunner.realTime(sim, clock);   // thread "gpuward-sim"
 * runner.start();
 * ... runner.progress() for a live line, cluster.stats()/actions()/nodes() for the summary ...
 * runner.awaitCompletion();
 * }</pre>
 *
 * <p>Simulated time never runs ahead of the wall clock: brokers refuse record timestamps in the
 * future and the engine dead-letters them. {@link io.gpuward.sim.SimTimeline} places a run faster
 * than real time in the past so that it ends at about now (or checks a scenario's own {@code
 * start:}), and {@link io.gpuward.sim.SimClock#notAfter} caps the clock at the wall clock after the
 * run.
 *
 * <p>Benchmarks: {@code Scenario.synthetic(gpus, seed)} and {@link
 * io.gpuward.sim.SimulationRunner#asFastAsPossible} with the cluster's {@link
 * io.gpuward.sim.ManualClock}. Tests: a {@link io.gpuward.sim.ManualClock}, moving it and calling
 * {@link io.gpuward.sim.FleetSimulator#advanceTo} tick by tick.
 *
 * <h2>Threads</h2>
 *
 * The {@link io.gpuward.exporter.NodeFeed} and the {@link io.gpuward.contract.TelemetrySink} are
 * called only from the thread that calls {@code advanceTo} (the runner's). {@link
 * io.gpuward.sim.SimulatedCluster} is thread-safe and is called by the remediator's thread; the
 * simulator picks up what it did (reboots, resets, replacements, cordons, evictions) at its next
 * tick, so actions visibly change telemetry.
 *
 * <h2>Determinism</h2>
 *
 * Same scenario, seed, start instant and cluster calls (at the same simulated times) give the same
 * records in the same order. Identities (instance ids, GPU UUIDs, boot ids, pod names) are hashes
 * of the seed and names; noise comes from one seeded generator per node.
 */
package io.gpuward.sim;
