package dev.bitproof.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.compare.CompareOptions;
import dev.bitproof.compare.ImageComparator;
import dev.bitproof.compare.Verdict;
import dev.bitproof.fetch.FetchOptions;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.Copier;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.Rebuild;
import dev.bitproof.testing.SharedData;
import dev.bitproof.testing.TestLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long operations tell their {@link Progress} what they did: counted on the demo image and its config, with a
 * progress that records every task (names, totals, what was added, that it was closed).
 */
public class ProgressWiringTest {
  /** One task as recorded. */
  public static final class Rec implements Progress.Task {
    public final String what;
    public final AtomicLong totalItems = new AtomicLong();
    public final AtomicLong totalBytes = new AtomicLong();
    public final AtomicLong items = new AtomicLong();
    public final AtomicLong bytes = new AtomicLong();
    public final AtomicLong calls = new AtomicLong();
    public volatile boolean closed;

    Rec(String what, long items, long bytes) {
      this.what = what;
      totalItems.set(items);
      totalBytes.set(bytes);
    }

    @Override
    public void add(long i, long b) {
      items.addAndGet(i);
      bytes.addAndGet(b);
      calls.incrementAndGet();
    }

    @Override
    public void grow(long i, long b) {
      totalItems.addAndGet(i);
      totalBytes.addAndGet(b);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  public static final class Recording implements Progress {
    public final List<Rec> tasks = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Task start(String what, long items, long bytes) {
      Rec r = new Rec(what, items, bytes);
      tasks.add(r);
      return r;
    }

    public Rec only(String what) {
      List<Rec> m = tasks.stream().filter(t -> t.what.equals(what)).toList();
      assertEquals(1, m.size(), what + " in " + tasks.stream().map(t -> t.what).toList());
      return m.get(0);
    }
  }

  static Path demo(String p) {
    return SharedData.testdata("demo/" + p);
  }

  @Test
  void copyCountsEveryBlobAndItsBytesAgainstGrowingTotals(@TempDir Path tmp) throws Exception {
    Recording p = new Recording();
    Copier.Result r;
    try (ImageSource s = Transports.source(ImageReference.parse("oci:" + demo("published")), TransportOptions.defaults());
        ImageDestination d = Transports.destination(ImageReference.parse("oci:" + tmp.resolve("c")), TransportOptions.defaults())) {
      r = Copier.copy(s, d, Optional.empty(), p);
    }
    Rec t = p.only("copying blobs");
    assertTrue(t.closed);
    assertEquals(r.blobsCopied(), t.items.get());
    assertEquals(t.totalItems.get(), t.items.get(), "every blob the manifests named");
    assertEquals(r.bytes(), t.bytes.get());
    assertEquals(t.totalBytes.get(), t.bytes.get());
  }

  @Test
  void compareCountsTheLayersItStreamsAndNoneWhenTheDigestsAreEqual(@TempDir Path tmp) throws Exception {
    Path re = TestLayouts.rewrite(demo("published"), tmp.resolve("re"), null, null, true);
    Recording p = new Recording();
    try (ImageSource a = Transports.source(ImageReference.parse("oci:" + demo("published")), TransportOptions.defaults());
        ImageSource b = Transports.source(ImageReference.parse("oci:" + re), TransportOptions.defaults())) {
      assertEquals(Verdict.CONTENT_IDENTICAL, ImageComparator.compare(a, b, CompareOptions.strict(), p).verdict());
    }
    Rec t = p.only("comparing layers");
    assertTrue(t.closed);
    assertEquals(4, t.items.get(), "one layer per platform, on each side");
    long sizes = 0;
    for (Path dir : List.of(demo("published"), re)) {
      try (ImageSource s = Transports.source(ImageReference.parse("oci:" + dir), TransportOptions.defaults())) {
        for (var img : dev.bitproof.oci.transport.Images.walk(s).images()) {
          sizes += img.manifest().layers().stream().mapToLong(dev.bitproof.oci.Descriptor::size).sum();
        }
      }
    }
    assertEquals(sizes, t.bytes.get(), "every layer byte read, counted once");

    Recording same = new Recording();
    try (ImageSource a = Transports.source(ImageReference.parse("oci:" + demo("published")), TransportOptions.defaults())) {
      ImageComparator.compare(a, a, CompareOptions.strict(), same);
    }
    assertEquals(0, same.only("comparing layers").items.get(), "equal digests: no layer read");
  }

  @Test
  void rebuildCountsPackagesFetchedAndInstalledAndLayerBytesCompressed(@TempDir Path tmp) throws Exception {
    Recording p = new Recording();
    BuildRequest req = BuildRequest.of(demo("apko.yaml"), demo("")).withLockFile(demo("apko.lock.json"))
        .withFetch(FetchOptions.defaults().withProgress(p));
    BuildResult built = Rebuild.run(req);
    for (BuildResult.ArchImage img : built.images()) {
      String arch = img.arch().apk();
      Rec fetched = p.only("fetching packages (" + arch + ")");
      assertEquals(img.packages().size(), fetched.totalItems.get());
      assertEquals(img.packages().size(), fetched.items.get());
      assertTrue(fetched.bytes.get() > 0);
      Rec installed = p.only("installing packages (" + arch + ")");
      assertEquals(img.packages().size(), installed.items.get());
      Rec compressed = p.only("compressing layers (" + arch + ")");
      assertEquals(img.layers().size(), compressed.items.get());
      assertEquals(img.layers().stream().mapToLong(BuildResult.Layer::tarSize).sum(), compressed.bytes.get(),
          "every tar byte that went into the compressor");
      assertTrue(compressed.calls.get() <= compressed.bytes.get() / Progress.BATCH + 2 * img.layers().size(),
          "batched: " + compressed.calls.get() + " calls for " + compressed.bytes.get() + " bytes");
    }
    assertTrue(p.tasks.stream().allMatch(t -> t.closed), "every task closed");
    assertTrue(Files.isDirectory(tmp));
  }
}
