import dev.bitproof.cli.render.StderrProgress;
import dev.bitproof.report.Progress;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;

/**
 * What progress costs a stream read the way tar readers read it (512 bytes a call): the same bytes read raw, through
 * Progress.NONE, and counted into the CLI's renderer (plain mode, writing to a sink). Run by bench/progress.sh.
 * Prints figures; not a test: no assertion on time.
 */
public class ProgressBench {
  static long read(InputStream in) throws Exception {
    byte[] buf = new byte[512];
    long n = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      n += r;
    }
    return n;
  }

  public static void main(String[] a) throws Exception {
    byte[] data = new byte[256 * 1024 * 1024];
    int rounds = 5;
    PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
    Progress shown = new StderrProgress(sink, false, System::nanoTime);
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    for (int i = 0; i < rounds + 2; i++) {
      for (int mode = 0; mode < 3; mode++) {
        long t0 = System.nanoTime();
        long n;
        if (mode == 0) {
          n = read(new ByteArrayInputStream(data));
        } else {
          try (Progress.Task t = (mode == 1 ? Progress.NONE : shown).start("reading", 0, data.length);
              InputStream in = t.counting(new ByteArrayInputStream(data))) {
            n = read(in);
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (n != data.length) {
          throw new IllegalStateException("read " + n);
        }
        if (i >= 2) {
          best[mode] = Math.min(best[mode], s);
        }
      }
    }
    String[] names = {"raw", "Progress.NONE", "StderrProgress (counted, 64 KiB batches)"};
    for (int mode = 0; mode < 3; mode++) {
      System.out.printf("%-42s %7.1f MiB/s  x%.3f of raw%n", names[mode], data.length / 1048576.0 / best[mode],
          best[mode] / best[0]);
    }
    System.out.printf("reads of 512 B: %d; calls into the task: %d%n", data.length / 512, data.length / Progress.BATCH);
  }
}
