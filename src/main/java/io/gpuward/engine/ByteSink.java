package io.gpuward.engine;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array as an {@link OutputStream}, for the serdes that write through a {@link
 * java.io.DataOutputStream}. Not {@link java.io.ByteArrayOutputStream}: its every {@code write} is
 * synchronized, and a GPU window is written a byte at a time (varints) for every open window at
 * every commit, where that lock was half of the serialiser's time.
 */
final class ByteSink extends OutputStream {
  private byte[] buf;
  private int size;

  ByteSink(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }
}
