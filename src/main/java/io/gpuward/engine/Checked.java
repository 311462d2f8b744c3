package io.gpuward.engine;

import io.gpuward.avro.DeadLetter;

/** An input record after validation: valid, or the dead letter it becomes. */
public sealed interface Checked<V> permits Checked.Valid, Checked.Invalid {
  record Valid<V>(V value) implements Checked<V> {}

  record Invalid<V>(DeadLetter deadLetter) implements Checked<V> {}
}
