package io.gpuward.exporter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a kernel log and hands each line to a consumer, on its own thread.
 *
 * <ul>
 *   <li>{@code /dev/kmsg} (any non-regular file): read from the start of the kernel's ring buffer,
 *       one record per read, blocking for new ones. Records overwritten before they were read
 *       ({@code EPIPE}) are skipped with a warning; reading goes on.
 *   <li>A regular file: read from its start, then followed like {@code tail -F}: new lines as they
 *       are appended, from the start again when it is truncated or replaced.
 * </ul>
 *
 * A missing or unreadable log is retried every {@code retry} with a warning at most once per
 * minute; it never stops the exporter. Lines are decoded as UTF-8 with replacement.
 */
final class KmsgFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KmsgFollower.class);
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  private final Path path;
  private final Consumer<String> lines;
  private final Duration poll;
  private final Duration retry;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean closed;
  private Instant lastWarn = Instant.EPOCH;

  KmsgFollower(Path path, Consumer<String> lines, Duration poll, Duration retry, Clock clock) {
    this.path = Objects.requireNonNull(path, "path");
    this.lines = Objects.requireNonNull(lines, "lines");
    this.poll = poll;
    this.retry = retry;
    this.clock = clock;
    this.thread = new Thread(this::run, "gpuward-exporter-kmsg");
    thread.setDaemon(true);
  }

  synchronized void start() {
    if (!closed) {
      thread.start();
    }
  }

  private void run() {
    while (!closed) {
      try {
        if (Files.isRegularFile(path)) {
          followFile();
          continue; // truncated or replaced: read it again at once
        } else {
          readDevice();
        }
      } catch (ClosedByInterruptException e) {
        if (closed) {
          return;
        }
      } catch (NoSuchFileException e) {
        warn("kernel log {} does not exist; retrying every {} s", path, retry.toSeconds());
      } catch (AccessDeniedException e) {
        warn(
            "cannot read kernel log {} (permission denied; the exporter needs CAP_SYSLOG or"
                + " root); retrying every {} s",
            path,
            retry.toSeconds());
      } catch (IOException | RuntimeException e) {
        warn(
            "kernel log {} failed ({}); retrying every {} s",
            path,
            e.toString(),
            retry.toSeconds());
      }
      if (!sleep(retry)) {
        return;
      }
    }
  }

  /** /dev/kmsg: each read returns one record; EPIPE means records were overwritten. */
  private void readDevice() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      LineSplitter splitter = new LineSplitter(lines);
      while (!closed) {
        int n;
        try {
          n = ch.read(buf);
        } catch (ClosedByInterruptException e) {
          throw e;
        } catch (IOException e) {
          if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
            warn("kernel log {}: records were overwritten before they were read", path);
            continue;
          }
          throw e;
        }
        if (n < 0) {
          splitter.flush();
          return; // not a kmsg device after all: reopen after the retry delay
        }
        buf.flip();
        splitter.accept(buf);
        buf.clear();
      }
    }
  }

  /** A regular file, like tail -F from its start. */
  private void followFile() throws IOException {
    Object fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      LineSplitter splitter = new LineSplitter(lines);
      long position = 0;
      while (!closed) {
        int n = ch.read(buf, position);
        if (n > 0) {
          position += n;
          buf.flip();
          splitter.accept(buf);
          buf.clear();
          continue;
        }
        // at the end: truncated or replaced?
        long size;
        Object key;
        try {
          size = Files.size(path);
          key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
          size = -1;
          key = null;
        }
        if (fileKey != null && key != null && !fileKey.equals(key)) {
          splitter.flush();
          log.info("kernel log {} was replaced; reading the new file", path);
          return;
        }
        if (size >= 0 && size < position) {
          log.info("kernel log {} was truncated; reading it from the start", path);
          splitter.flush();
          return;
        }
        if (!sleep(poll)) {
          return;
        }
      }
    }
  }

  private boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return !closed;
    } catch (InterruptedException e) {
      // close() interrupts this thread to end it; the flag stays set for the way out.
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void warn(String format, Object... args) {
    Instant now = clock.instant();
    if (Duration.between(lastWarn, now).compareTo(WARN_EVERY) >= 0) {
      lastWarn = now;
      log.warn(format, args);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Splits bytes into lines at '\n', keeping a partial last line for the next read. */
  private static final class LineSplitter {
    private static final int MAX_LINE = 1 << 20;
    private final Consumer<String> lines;
    private byte[] carry = new byte[0];

    LineSplitter(Consumer<String> lines) {
      this.lines = lines;
    }

    void accept(ByteBuffer buf) {
      byte[] bytes = new byte[carry.length + buf.remaining()];
      System.arraycopy(carry, 0, bytes, 0, carry.length);
      buf.get(bytes, carry.length, bytes.length - carry.length);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          lines.accept(new String(bytes, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      carry = Arrays.copyOfRange(bytes, start, bytes.length);
      if (carry.length > MAX_LINE) {
        flush(); // no newline in a megabyte: not a log; hand it on rather than grow
      }
    }

    void flush() {
      if (carry.length > 0) {
        lines.accept(new String(carry, StandardCharsets.UTF_8));
        carry = new byte[0];
      }
    }
  }
}
