// Load generator for bench/hook.sh (run with `java bench/HookLoad.java MODE …`; JDK only, loopback only, bounded).
//   events URL N CONC [TOKEN]     POST N one-event envelopes (distinct digests), CONC at once: events/s, ack p50/p99
//   healthz URL N CONC            GET /healthz N times: the baseline (server without the database)
//   push REGISTRY REPO N CONC OUT push N distinct one-layer images (registry API), write "digest pushedAtMillis" lines
//   await HOOK FILE BOUND_S       poll the results API until every digest in FILE has a result: verified, lost,
//                                 duplicated, push-to-result p50/p99
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class HookLoad {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "events" -> events(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), a.length > 4 ? a[4] : null);
      case "healthz" -> healthz(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]));
      case "push" -> push(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]), Path.of(a[5]));
      case "await" -> await(a[1], Path.of(a[2]), Long.parseLong(a[3]));
      default -> throw new IllegalArgumentException(a[0]);
    }
  }

  static String sha256(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  interface Call { void run(int i) throws Exception; }

  /** Runs N calls, CONC at once; returns the sorted per-call latencies in ms. */
  static List<Double> run(int n, int conc, Call call) throws Exception {
    List<Double> lat = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(conc);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < conc; t++) {
      fs.add(pool.submit(() -> {
        for (int i; (i = next.getAndIncrement()) < n; ) {
          long s = System.nanoTime();
          call.run(i);
          lat.add((System.nanoTime() - s) / 1e6);
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    List<Double> l = new ArrayList<>(lat);
    Collections.sort(l);
    return l;
  }

  static double pct(List<Double> sorted, double p) {
    return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  static void events(String url, int n, int conc, String token) throws Exception {
    String salt = Long.toString(System.nanoTime());
    AtomicInteger non200 = new AtomicInteger();
    long start = System.nanoTime();
    List<Double> lat = run(n, conc, i -> {
      String d = sha256((salt + "/" + i).getBytes(StandardCharsets.UTF_8));
      String body = "{\"events\":[{\"id\":\"" + salt + "-" + i + "\",\"action\":\"push\",\"target\":{\"mediaType\":"
          + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d + "\",\"repository\":\"bench/load\","
          + "\"tag\":\"t" + i + "\"}}]}";
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url + "/events")).POST(HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        r.header("Authorization", "Bearer " + token);
      }
      if (HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        non200.incrementAndGet();
      }
    });
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf("events: %d in %.2f s = %.0f events/s (stored, acknowledged), ack p50 %.1f ms p99 %.1f ms, non-200: %d%n",
        n, s, n / s, pct(lat, 0.5), pct(lat, 0.99), non200.get());
  }

  static void healthz(String url, int n, int conc) throws Exception {
    long start = System.nanoTime();
    List<Double> lat = run(n, conc, i -> HTTP.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
        HttpResponse.BodyHandlers.discarding()));
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf("healthz: %d in %.2f s = %.0f requests/s (baseline: no database), p50 %.1f ms p99 %.1f ms%n",
        n, s, n / s, pct(lat, 0.5), pct(lat, 0.99));
  }

  static void upload(String registry, String repo, byte[] blob, String digest) throws Exception {
    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    String loc = r.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException("no upload location: " + r));
    URI u = URI.create(loc.startsWith("http") ? loc : "http://" + registry + loc);
    URI put = URI.create(u + (u.getQuery() == null ? "?" : "&") + "digest=" + digest);
    HttpResponse<Void> p = HTTP.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
    if (p.statusCode() != 201) {
      throw new IllegalStateException("blob upload: HTTP " + p.statusCode());
    }
  }

  static void push(String registry, String repo, int n, int conc, Path out) throws Exception {
    String salt = Long.toString(System.nanoTime());
    Map<Integer, String> lines = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    run(n, conc, i -> {
      // a one-file uncompressed tar layer (512-byte header + content block + 1024-byte end)
      byte[] content = ("image " + salt + " " + i + "\n").getBytes(StandardCharsets.UTF_8);
      byte[] tar = new byte[512 + 512 + 1024];
      byte[] name = "hello.txt".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(name, 0, tar, 0, name.length);
      put(tar, 100, "0000644");
      put(tar, 108, "0000000");
      put(tar, 116, "0000000");
      put(tar, 124, String.format("%011o", content.length));
      put(tar, 136, "00000000000");
      tar[156] = '0';
      put(tar, 257, "ustar");
      tar[262] = 0;
      put(tar, 263, "00");
      for (int k = 148; k < 156; k++) {
        tar[k] = ' ';
      }
      int sum = 0;
      for (int k = 0; k < 512; k++) {
        sum += tar[k] & 0xff;
      }
      put(tar, 148, String.format("%06o", sum));
      tar[154] = 0;
      System.arraycopy(content, 0, tar, 512, content.length);
      String ld = sha256(tar);
      byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"65532\"},\"rootfs\":{\"type\":\"layers\","
          + "\"diff_ids\":[\"" + ld + "\"]}}").getBytes(StandardCharsets.UTF_8);
      String cd = sha256(cfg);
      upload(registry, repo, tar, ld);
      upload(registry, repo, cfg, cd);
      byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
          + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + cd + "\",\"size\":" + cfg.length + "},\"layers\":[{"
          + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + ld + "\",\"size\":" + tar.length + "}]}")
          .getBytes(StandardCharsets.UTF_8);
      HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + repo + "/manifests/t" + i))
          .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofByteArray(m))
          .build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("manifest push: HTTP " + r.statusCode());
      }
      lines.put(i, sha256(m) + " " + System.currentTimeMillis());
    });
    Files.write(out, new ArrayList<>(lines.values()));
    System.out.printf("pushed: %d images in %.2f s%n", n, (System.nanoTime() - start) / 1e9);
  }

  static void put(byte[] b, int off, String s) {
    byte[] x = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(x, 0, b, off, x.length);
  }

  static void await(String hook, Path file, long boundSeconds) throws Exception {
    Map<String, Long> pushed = new ConcurrentHashMap<>();
    for (String l : Files.readAllLines(file)) {
      String[] p = l.split(" ");
      pushed.put(p[0], Long.parseLong(p[1]));
    }
    Pattern row = Pattern.compile("\"digest\" : \"(sha256:[0-9a-f]{64})\",\\s*\"result\" : \"(\\w+)\",\\s*\"attempts\" : (\\d+),"
        + "\\s*\"events\" : (\\d+),\\s*\"finished\" : \"([^\"]+)\"");
    long deadline = System.nanoTime() + boundSeconds * 1_000_000_000L;
    Map<String, String[]> seen = new ConcurrentHashMap<>();
    int rows = 0;
    while (System.nanoTime() < deadline) {
      String body;
      try {
        body = HTTP.send(HttpRequest.newBuilder(URI.create(hook + "/v1/results?limit=1000")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException down) {
        Thread.sleep(200);
        continue;
      }
      Matcher m = row.matcher(body);
      rows = 0;
      seen.clear();
      while (m.find()) {
        rows++;
        if (pushed.containsKey(m.group(1))) {
          seen.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4), m.group(5)});
        }
      }
      if (seen.size() == pushed.size()) {
        break;
      }
      Thread.sleep(200);
    }
    List<Double> lat = new ArrayList<>();
    int reRun = 0;
    Map<String, Integer> results = new java.util.TreeMap<>();
    for (Map.Entry<String, String[]> e : seen.entrySet()) {
      lat.add((double) (Instant.parse(e.getValue()[3]).toEpochMilli() - pushed.get(e.getKey())));
      if (Integer.parseInt(e.getValue()[1]) > 1) {
        reRun++;
      }
      results.merge(e.getValue()[0], 1, Integer::sum);
    }
    Collections.sort(lat);
    System.out.printf("soak: pushed %d, verified %d %s, lost %d, duplicated %d (result rows %d for %d images), "
        + "re-run after a kill %d, push-to-result p50 %.0f ms p99 %.0f ms%n", pushed.size(), seen.size(), results,
        pushed.size() - seen.size(), rows - seen.size(), rows, seen.size(), reRun, pct(lat, 0.5), pct(lat, 0.99));
  }
}
