/**
 * Paging: what a person must be told (escalations, new fleet incidents) delivered from the audit
 * and incident topics to a webhook as CloudEvents, at least once, in order per partition, with the
 * consumer's offsets committed only after delivery.
 */
package io.gpuward.notify;
