/**
 * Schema registry semantics shared by the embedded HTTP registry and the in-memory one for unit
 * tests: {@link io.gpuward.contract.registry.RegistryCore} (ids, versions, compatibility, error
 * codes) over a {@link io.gpuward.contract.registry.SchemaStore}.
 */
package io.gpuward.contract.registry;
