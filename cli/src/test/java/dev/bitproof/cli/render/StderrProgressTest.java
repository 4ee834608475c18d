package dev.bitproof.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.Progress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress renderer on a clock the test steps by hand: what each mode prints, and when. */
class StderrProgressTest {
  private long now = 1_000_000_000L;
  private final StringWriter err = new StringWriter();

  private StderrProgress progress(boolean tty) {
    return new StderrProgress(new PrintWriter(err), tty, () -> now);
  }

  private void advance(long seconds) {
    now += TimeUnit.SECONDS.toNanos(seconds);
  }

  private List<String> lines() {
    return err.toString().lines().toList();
  }

  @Test
  void plainModePrintsAPeriodicLineNotOnePerItemAndADoneLine() {
    try (Progress.Task t = progress(false).start("fetching packages", 10, 10L * 1024 * 1024)) {
      for (int i = 0; i < 4; i++) {
        t.add(1, 1024 * 1024); // 4 items within the first second: no line yet
      }
      assertEquals("", err.toString());
      advance(5);
      t.add(1, 1024 * 1024); // 5 s in, half done
      assertEquals(List.of("bitproof: fetching packages: 5/10 items, 5.0 MiB / 10.0 MiB, 1.0 MiB/s, ETA 0:05"), lines());
      t.add(1, 1024 * 1024); // same instant: no second line
      assertEquals(1, lines().size());
      advance(1);
      t.add(4, 4L * 1024 * 1024);
      assertEquals(1, lines().size(), "the next periodic line only after the interval");
    }
    assertEquals("bitproof: fetching packages: done, 10 items, 10.0 MiB, 1.7 MiB/s in 6.0 s", lines().get(1));
    assertEquals(2, lines().size());
  }

  @Test
  void terminalModeRedrawsOneLineAndEndsItWithANewline() {
    try (Progress.Task t = progress(true).start("comparing layers", 0, 0)) {
      t.add(1, 2048);
      assertEquals("", err.toString(), "nothing before the first interval");
      advance(1);
      t.add(1, 2048);
      advance(1);
      t.add(1, 2048);
    }
    String s = err.toString();
    assertEquals(3, s.split("\r", -1).length - 1, "two redraws and the final line, each from the line's start");
    assertTrue(s.contains("\rcomparing layers: 2 items, 4.0 KiB, 4.0 KiB/s\033[K"), s);
    assertTrue(s.endsWith("\rcomparing layers: done, 3 items, 6.0 KiB, 3.0 KiB/s in 2.0 s\033[K\n"), s);
    assertEquals(1, s.chars().filter(c -> c == '\n').count(), "one line on the terminal");
  }

  @Test
  void aTaskThatDidNothingOrWasShortLeavesNothing() {
    progress(false).start("compressing layers", 0, 0).close();
    progress(true).start("compressing layers", 0, 0).close();
    try (Progress.Task t = progress(false).start("fetching packages", 2, 0)) {
      advance(1);
      t.add(2, 4096);
    }
    assertEquals("", err.toString(), "plain: no summary of a one-second task");
    try (Progress.Task t = progress(true).start("fetching packages", 2, 0)) {
      advance(1);
      t.add(1, 4096);
      advance(0);
      t.add(1, 4096);
    }
    assertEquals("\rfetching packages: 1/2 items, 4.0 KiB, 4.0 KiB/s, ETA 0:01\033[K\r\033[K", err.toString(),
        "terminal: the line drawn is wiped at the end");
  }

  @Test
  void totalsGrowAsWorkIsFound() {
    try (Progress.Task t = progress(false).start("copying blobs", 0, 0)) {
      t.grow(4, 4096);
      t.add(1, 1024);
      advance(10);
      t.add(1, 1024);
    }
    assertEquals("bitproof: copying blobs: 2/4 items, 2.0 KiB / 4.0 KiB, 204 B/s, ETA 0:10", lines().get(0));
  }

  @Test
  void countingStreamsTellTheTaskInBatchesNotPerRead() throws IOException {
    long[] calls = {0};
    long[] bytes = {0};
    Progress.Task t = new Progress.Task() {
      @Override
      public void add(long items, long b) {
        calls[0]++;
        bytes[0] += b;
      }

      @Override
      public void grow(long items, long b) {}

      @Override
      public void close() {}
    };
    byte[] data = new byte[1024 * 1024 + 7];
    try (InputStream in = t.counting(new ByteArrayInputStream(data))) {
      byte[] buf = new byte[512];
      while (in.read(buf) > 0) {
        // tar-sized reads: 2049 of them
      }
    }
    assertEquals(data.length, bytes[0]);
    assertTrue(calls[0] <= data.length / Progress.BATCH + 1, "calls: " + calls[0]);
  }

  @Test
  void noneCountsNothingAndPassesStreamsThrough() {
    InputStream in = new ByteArrayInputStream(new byte[1]);
    try (Progress.Task t = Progress.NONE.start("x", 1, 1)) {
      assertTrue(t.counting(in) == in);
      t.add(1, 1);
    }
    assertFalse(err.toString().contains("x"));
  }

  @Test
  void humanSizes() {
    assertEquals("12 B", StderrProgress.human(12));
    assertEquals("1.5 KiB", StderrProgress.human(1536));
    assertEquals("1:01:01", StderrProgress.duration(3661));
  }
}
