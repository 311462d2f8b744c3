/**
 * The fleet simulator: scenario files, a simulated EKS GPU fleet that emits the same records the
 * node exporter would (GPU samples, XID lines, kube events, inventory), and a simulated cluster and
 * cloud that the remediator acts on. Pure Java; no Kafka imports.
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
 * The {@link io.gpuward.contract.TelemetrySink} is called only from the thread that calls {@code
 * advanceTo} (the runner's). {@link io.gpuward.sim.SimulatedCluster} is thread-safe and is called
 * by the remediator's thread; the simulator picks up what it did (reboots, resets, replacements,
 * cordons, evictions) at its next tick, so actions visibly change telemetry.
 *
 * <h2>Determinism</h2>
 *
 * Same scenario, seed, start instant and cluster calls (at the same simulated times) give the same
 * records in the same order. Identities (instance ids, GPU UUIDs, boot ids, pod names) are hashes
 * of the seed and names; noise comes from one seeded generator per node.
 */
package io.gpuward.sim;
