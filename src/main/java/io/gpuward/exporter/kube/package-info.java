/**
 * The Kubernetes side of the node exporter: what the cluster says about the node the exporter runs
 * on, as {@code NodeEvent}s ({@link io.gpuward.exporter.kube.NodeWatcher}) and as the node's {@code
 * NodeInventory} ({@link io.gpuward.exporter.kube.InventoryCollector}).
 *
 * <h2>Wiring (one node, in the exporter DaemonSet pod)</h2>
 *
 * <pre>{@code
 * String node = System.getenv("NODE_NAME");                 // downward API: spec.nodeName
 * KubernetesClient kube = new KubernetesClientBuilder().build();   // in-cluster config
 * InventoryCollector inventory = new InventoryCollector(
 *     kube, node, sink, clock, InstanceTypeCatalog.load(), Ec2Metadata.defaults(), meters);
 * NodeWatcher watcher = new NodeWatcher(
 *     kube, node, sink, clock, NodeWatcher.Options.defaults(), meters);
 * watcher.addNodeListener(inventory);        // inventory follows every Node update
 * inventory.start();                          // IMDS once, then the Node; publishes
 * watcher.start().get(30, SECONDS);           // or log a timeout and carry on: watches retry
 * ...
 * watcher.close();                            // then close the sink and the client
 * }</pre>
 *
 * <h2>What the pod needs</h2>
 *
 * <ul>
 *   <li>RBAC (ClusterRole): {@code get, list, watch} on {@code nodes}, {@code events} (core) and
 *       {@code pods}, cluster-wide: every watch is narrowed by a field selector, but selectors do
 *       not narrow RBAC.
 *   <li>{@code NODE_NAME} from {@code fieldRef: spec.nodeName}.
 *   <li>IMDSv2 from a pod: {@code hostNetwork: true}, or an instance metadata hop limit of 2;
 *       without it the inventory comes from the Node object alone (no AMI id from IMDS, no ASG).
 * </ul>
 *
 * <h2>Why it is built this way</h2>
 *
 * <ul>
 *   <li>State, not deltas: the watcher keeps what it last published per kind and publishes only
 *       differences, so resyncs, relists after a lost watch and duplicate notifications add
 *       nothing. An exporter restart forgets that state and publishes the current state again,
 *       under the same deterministic event ids (node uid, boot id, condition transition, event uid
 *       and count), so consumers can drop repeats.
 *   <li>A reboot of the exporter's own node stops the exporter too; it comes back with the new boot
 *       id as its first sight, so in practice a reboot is reported from the kubelet's {@code
 *       Rebooted} Event. The boot id comparison covers the rest (a restart of the exporter alone,
 *       or a lost Event); each boot id is reported once whichever comes first.
 *   <li>Pod Events carry no node field to select on. Watching every Pod Event would make each
 *       exporter receive the whole cluster's; instead there is one watch per start-failure reason,
 *       kept when the kubelet of this node reported it.
 * </ul>
 */
package io.gpuward.exporter.kube;
