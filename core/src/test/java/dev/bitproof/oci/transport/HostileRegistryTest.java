package dev.bitproof.oci.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.io.IoCode;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.OciCode;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.testing.FakeRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A registry that lies, truncates, redirects, throttles and refuses: each case ends in its stable code. */
class HostileRegistryTest {
  static final TransportOptions INSECURE = TransportOptions.defaults().withInsecure(true);
  static final RegistryClient.Retry FAST = new RegistryClient.Retry(3, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofMillis(500));

  FakeRegistry reg;
  byte[] config;
  byte[] layer;
  byte[] manifest;
  String configDigest;
  String layerDigest;

  @BeforeEach
  void image(org.junit.jupiter.api.TestInfo info) throws Exception {
    reg = new FakeRegistry();
    if (!info.getDisplayName().startsWith("honest")) {
      // the JDK's http server stays silent on a TLS hello, so the insecure https probe waits 2 s for it; the
      // honest-registry test keeps that path covered, the others skip it
      RegistryClient.rememberPlainHttp(reg.hostPort());
    }
    config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
    layer = new byte[200_000];
    new Random(42).nextBytes(layer);
    configDigest = reg.putBlob(config);
    layerDigest = reg.putBlob(layer);
    manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}")
        .getBytes(StandardCharsets.UTF_8);
    reg.putManifest("v1", MediaType.OCI_MANIFEST.value(), manifest);
  }

  @AfterEach
  void stop() {
    reg.close();
  }

  ImageSource source(String tagOrDigest) {
    String sep = tagOrDigest.startsWith("sha256:") ? "@" : ":";
    return Registry.source(ImageReference.parse("docker://" + reg.hostPort() + "/test/img" + sep + tagOrDigest), INSECURE, FAST);
  }

  Descriptor layerDescriptor(ImageSource s) throws Exception {
    return s.root().asImage().layers().get(0);
  }

  static CheckException fails(Code code, Executable e) {
    CheckException ce = assertThrows(CheckException.class, e);
    assertEquals(code, ce.code(), ce.toString());
    return ce;
  }

  @Test
  void honestRegistryServesTheImage() throws Exception {
    try (ImageSource s = source("v1")) {
      assertEquals(FakeRegistry.sha256(manifest), s.root().digest().toString());
      assertArrayEquals(layer, s.blobBytes(layerDescriptor(s), 1 << 20));
    }
  }

  @Test
  void wrongBlobBytesFailAndNothingIsKept(@TempDir Path tmp) throws Exception {
    byte[] evil = layer.clone();
    evil[100_000] ^= 1;
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
        FakeRegistry.send(ex, 200, "application/octet-stream", evil);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      Descriptor l = layerDescriptor(s);
      CheckException e = fails(IoCode.BLOB_DIGEST_MISMATCH, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    }
    Path out = tmp.resolve("out");
    try (ImageSource s = source("v1"); ImageDestination d = OciLayout.destination(ImageReference.oci(out.toString(), "v1"))) {
      fails(IoCode.BLOB_DIGEST_MISMATCH, () -> Copier.copy(s, d, Optional.empty()));
    }
    assertFalse(Files.exists(out.resolve("blobs/sha256/" + layerDigest.substring(7))), "tampered blob not kept");
    assertFalse(Files.exists(out.resolve("index.json")), "nothing committed");
    try (var w = Files.walk(out)) {
      assertTrue(w.noneMatch(p -> p.toString().endsWith(".partial")));
    }
  }

  @Test
  void truncatedBlobIsCaught() throws Exception {
    // connection closes before Content-Length bytes arrived
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
        ex.sendResponseHeaders(200, layer.length);
        ex.getResponseBody().write(layer, 0, layer.length / 2);
        ex.getResponseBody().flush();
        ex.getHttpContext().getServer();
        throw new java.io.IOException("drop the connection");
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      Descriptor l = layerDescriptor(s);
      fails(TransportCode.REGISTRY_TRUNCATED, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
    }
    // chunked response that ends cleanly but short
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
        ex.sendResponseHeaders(200, 0);
        ex.getResponseBody().write(layer, 0, layer.length - 10);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      Descriptor l = layerDescriptor(s);
      CheckException e = fails(IoCode.BLOB_SIZE_MISMATCH, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    }
    // a Content-Length that disagrees with the descriptor is refused before reading
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
        FakeRegistry.send(ex, 200, "application/octet-stream", new byte[10]);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      Descriptor l = layerDescriptor(s);
      fails(IoCode.BLOB_SIZE_MISMATCH, () -> s.blob(l));
    }
  }

  @Test
  void manifestOverFourMibIsRefused() throws Exception {
    byte[] huge = new byte[RawManifest.MAX_SIZE + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    huge[0] = '{';
    huge[huge.length - 1] = '}';
    reg.putManifest("huge", MediaType.OCI_MANIFEST.value(), huge);
    try (ImageSource s = source("huge")) {
      fails(OciCode.MANIFEST_TOO_LARGE, s::root);
    }
    // same without a Content-Length (chunked): the read stops at the limit
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith("/manifests/chunked")) {
        ex.getResponseHeaders().set("Content-Type", MediaType.OCI_MANIFEST.value());
        ex.sendResponseHeaders(200, 0);
        ex.getResponseBody().write(huge);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("chunked")) {
      fails(OciCode.MANIFEST_TOO_LARGE, s::root);
    }
  }

  @Test
  void unknownOrMismatchedMediaTypesAreRefused() throws Exception {
    reg.putManifest("schema1", "application/vnd.docker.distribution.manifest.v1+prettyjws", "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8));
    try (ImageSource s = source("schema1")) {
      fails(OciCode.MEDIA_TYPE_UNSUPPORTED, s::root);
    }
    // served as an index, the document says it is an image manifest
    reg.putManifest("lying", MediaType.OCI_INDEX.value(), manifest);
    try (ImageSource s = source("lying")) {
      fails(OciCode.MEDIA_TYPE_MISMATCH, s::root);
    }
    // an index whose descriptor says "index" for what is served as an image manifest
    String mdigest = FakeRegistry.sha256(manifest);
    byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + mdigest + "\",\"size\":" + manifest.length + "}]}")
        .getBytes(StandardCharsets.UTF_8);
    reg.putManifest("idx", MediaType.OCI_INDEX.value(), index);
    try (ImageSource s = source("idx")) {
      fails(OciCode.MEDIA_TYPE_MISMATCH, () -> Images.walk(s));
    }
  }

  @Test
  void indexPointingToItselfAndIndexesNestedTooDeep() throws Exception {
    // the registry answers every manifest request with the index itself: the digest check catches it
    String fakeChild = "sha256:" + "ab".repeat(32);
    byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + fakeChild + "\",\"size\":200}]}")
        .getBytes(StandardCharsets.UTF_8);
    reg.putManifest("loop", MediaType.OCI_INDEX.value(), index);
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(fakeChild)) {
        FakeRegistry.send(ex, 200, MediaType.OCI_INDEX.value(), index);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("loop")) {
      CheckException e = assertThrows(CheckException.class, () -> Images.walk(s));
      assertTrue(e.code().equals(OciCode.MANIFEST_DIGEST_MISMATCH) || e.code().equals(IoCode.BLOB_SIZE_MISMATCH), String.valueOf(e.code()));
      assertEquals(CheckException.Kind.INTEGRITY, e.kind());
    }
    reg.override(ex -> false);
    // real, content-addressed nesting: index -> index -> ... -> manifest, deeper than ImageIndex.MAX_DEPTH
    byte[] child = manifest;
    String childType = MediaType.OCI_MANIFEST.value();
    for (int i = 0; i <= dev.bitproof.oci.ImageIndex.MAX_DEPTH; i++) {
      byte[] idx = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
          + "\"mediaType\":\"" + childType + "\",\"digest\":\"" + FakeRegistry.sha256(child) + "\",\"size\":" + child.length + "}]}")
          .getBytes(StandardCharsets.UTF_8);
      reg.putManifest(null, childType, child);
      child = idx;
      childType = MediaType.OCI_INDEX.value();
    }
    reg.putManifest("deep", MediaType.OCI_INDEX.value(), child);
    try (ImageSource s = source("deep")) {
      fails(TransportCode.INDEX_TOO_DEEP, () -> Images.walk(s));
    }
  }

  @Test
  void announcedDigestThatDoesNotMatchTheBytes() throws Exception {
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith("/manifests/v1")) {
        ex.getResponseHeaders().set("Docker-Content-Digest", "sha256:" + "00".repeat(32));
        FakeRegistry.send(ex, 200, MediaType.OCI_MANIFEST.value(), manifest);
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      assertEquals(CheckException.Kind.INTEGRITY, fails(TransportCode.REGISTRY_DIGEST_MISMATCH, s::root).kind());
    }
    // pulled by digest, other bytes: refused
    String want = "sha256:" + "11".repeat(32);
    reg.putManifest(null, MediaType.OCI_MANIFEST.value(), manifest);
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(want)) {
        FakeRegistry.send(ex, 200, MediaType.OCI_MANIFEST.value(), manifest);
        return true;
      }
      return false;
    });
    try (ImageSource s = source(want)) {
      fails(OciCode.MANIFEST_DIGEST_MISMATCH, s::root);
    }
  }

  @Test
  void statusCodesMapToStableCodes() throws Exception {
    AtomicInteger status = new AtomicInteger();
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().contains("/manifests/")) {
        FakeRegistry.send(ex, status.get(), "application/json", "{\"errors\":[]}".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    status.set(401);
    try (ImageSource s = source("v1")) {
      fails(TransportCode.REGISTRY_UNAUTHORIZED, s::root);
    }
    status.set(403);
    try (ImageSource s = source("v1")) {
      fails(TransportCode.REGISTRY_DENIED, s::root);
    }
    status.set(404);
    try (ImageSource s = source("v1")) {
      fails(TransportCode.MANIFEST_NOT_FOUND, s::root);
    }
    status.set(503);
    try (ImageSource s = source("v1")) {
      fails(TransportCode.REGISTRY_UNAVAILABLE, s::root);
    }
    status.set(429);
    try (ImageSource s = source("v1")) {
      fails(TransportCode.REGISTRY_RATE_LIMITED, s::root);
    }
    long tries = reg.seen().stream().filter(x -> x.path().endsWith("/manifests/v1")).count();
    assertEquals(1 + 1 + 1 + FAST.attempts() + FAST.attempts(), tries, "401/403/404 are not retried, 503 and 429 are, a bounded number of times");
    reg.override(ex -> false);
    try (ImageSource s = source("v1")) {
      Descriptor missing = Descriptor.of(MediaType.OCI_LAYER_GZIP, dev.bitproof.oci.Digest.parse("sha256:" + "22".repeat(32)), 5);
      fails(TransportCode.BLOB_NOT_FOUND, () -> s.blob(missing));
    }
  }

  @Test
  void nobodyListeningIsUnreachable() throws Exception {
    int port;
    try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    for (TransportOptions o : java.util.List.of(INSECURE, TransportOptions.defaults())) {
      try (ImageSource s = Registry.source(ImageReference.parse("docker://127.0.0.1:" + port + "/test/img:v1"), o, FAST)) {
        fails(TransportCode.REGISTRY_UNREACHABLE, s::root);
      }
    }
  }

  @Test
  void aBlobBodyThatStallsEndsStalled() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith(layerDigest)) {
        ex.sendResponseHeaders(200, layer.length);
        ex.getResponseBody().write(layer, 0, 1000);
        ex.getResponseBody().flush();
        try {
          release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new java.io.IOException("drop the connection");
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      Descriptor l = layerDescriptor(s);
      // FAST's timeout (500 ms) is the read timeout: no byte for that long ends the read
      fails(TransportCode.REGISTRY_STALLED, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
    } finally {
      release.countDown();
    }
  }

  @Test
  void aStreamedUploadAnswered401IsUnauthorizedAndNotRetried() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    try (FakeRegistry other = new FakeRegistry()) {
      RegistryClient.rememberPlainHttp(other.hostPort());
      other.override(ex -> {
        if (ex.getRequestMethod().equals("PUT") && ex.getRequestURI().getPath().contains("/blobs/uploads/")) {
          puts.incrementAndGet();
          ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
          ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"fake\"");
          FakeRegistry.send(ex, 401, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          return true;
        }
        return false;
      });
      try (ImageSource s = source("v1");
          ImageDestination d = Registry.destination(ImageReference.parse("docker://" + other.hostPort() + "/test/up:v1"), INSECURE, FAST)) {
        fails(TransportCode.REGISTRY_UNAUTHORIZED, () -> Copier.copy(s, d, Optional.empty()));
      }
    }
    assertTrue(puts.get() >= 1 && puts.get() <= 2, "each blob's one-shot body is sent once: " + puts.get());
  }

  @Test
  void aRegistryThatStopsReadingAnUploadEndsStalled() throws Exception {
    // more than the loopback socket buffers hold, so the client's write blocks once the server stops reading
    long size = 64L << 20;
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    byte[] zeros = new byte[1 << 20];
    for (long i = 0; i < size; i += zeros.length) {
      md.update(zeros);
    }
    Descriptor big = Descriptor.of(MediaType.of("application/vnd.oci.image.layer.v1.tar"), dev.bitproof.oci.Digest.sha256(md), size);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    reg.override(ex -> {
      if (ex.getRequestMethod().equals("PUT") && ex.getRequestURI().getPath().contains("/blobs/uploads/")) {
        try {
          release.await(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new java.io.IOException("drop the connection");
      }
      return false;
    });
    try (ImageDestination d = Registry.destination(ImageReference.parse("docker://" + reg.hostPort() + "/test/big:v1"), INSECURE, FAST)) {
      java.io.InputStream zeroes = new java.io.InputStream() {
        long left = size;

        @Override
        public int read() {
          return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (left <= 0) {
            return -1;
          }
          int n = (int) Math.min(len, left);
          java.util.Arrays.fill(b, off, off + n, (byte) 0);
          left -= n;
          return n;
        }
      };
      fails(TransportCode.REGISTRY_STALLED, () -> d.putBlob(big, zeroes));
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRegistryThatNeverAnswersTimesOut() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith("/manifests/v1")) {
        calls.incrementAndGet();
        try {
          release.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      fails(TransportCode.REGISTRY_TIMEOUT, s::root);
    } finally {
      release.countDown();
    }
    assertEquals(FAST.attempts(), calls.get(), "each attempt timed out, then it gave up");
  }

  @Test
  void destinationNamingAnotherDigestIsRefused(@TempDir Path tmp) throws Exception {
    try (ImageSource s = source("v1");
        ImageDestination d = Registry.destination(ImageReference.parse("docker://" + reg.hostPort() + "/test/copy@sha256:" + "33".repeat(32)), INSECURE, FAST)) {
      CheckException e = fails(TransportCode.DESTINATION_DIGEST_MISMATCH, () -> Copier.copy(s, d, Optional.empty()));
      assertEquals(CheckException.Kind.USAGE, e.kind());
    }
    assertTrue(reg.seen().stream().noneMatch(x -> x.method().equals("PUT") || x.method().equals("POST")), "nothing pushed");
  }

  @Test
  void throttledAndFailingRequestsAreRetriedWithBackoff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    reg.override(ex -> {
      if (ex.getRequestURI().getPath().endsWith("/manifests/v1") && calls.incrementAndGet() <= 2) {
        ex.getResponseHeaders().set("Retry-After", "0");
        FakeRegistry.send(ex, calls.get() == 1 ? 429 : 502, "text/plain", "slow down".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      return false;
    });
    try (ImageSource s = source("v1")) {
      assertEquals(FakeRegistry.sha256(manifest), s.root().digest().toString());
    }
    assertEquals(3, calls.get());
    assertEquals(Duration.ofMillis(20), FAST.delay(10, Optional.empty()), "backoff is capped");
    assertEquals(Duration.ofMillis(4), FAST.delay(2, Optional.empty()), "backoff doubles");
  }

  @Test
  void blobRedirectToAnotherHostDropsCredentialsAndStillChecksTheDigest() throws Exception {
    try (FakeRegistry storage = new FakeRegistry()) {
      String realm = reg.url() + "/token";
      reg.override(ex -> {
        String p = ex.getRequestURI().getPath();
        if (p.equals("/token")) {
          FakeRegistry.send(ex, 200, "application/json", "{\"token\":\"t0ken\"}".getBytes(StandardCharsets.UTF_8));
          return true;
        }
        if (!"Bearer t0ken".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"fake\"");
          FakeRegistry.send(ex, 401, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          return true;
        }
        if (p.endsWith(layerDigest)) {
          ex.getResponseHeaders().set("Location", storage.url() + "/storage/" + layerDigest + "?signature=x");
          ex.sendResponseHeaders(307, -1);
          return true;
        }
        return false;
      });
      AtomicInteger variant = new AtomicInteger();
      storage.override(ex -> {
        byte[] body = layer.clone();
        if (variant.get() == 1) {
          body[0] ^= 1;
        }
        FakeRegistry.send(ex, 200, "application/octet-stream", body);
        return true;
      });
      try (ImageSource s = source("v1")) {
        Descriptor l = layerDescriptor(s);
        assertArrayEquals(layer, s.blobBytes(l, 1 << 20));
        variant.set(1);
        fails(IoCode.BLOB_DIGEST_MISMATCH, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
      }
      assertTrue(storage.seen().size() >= 2, "blob storage was asked");
      assertTrue(storage.seen().stream().allMatch(x -> x.authorization().isEmpty()), "no credentials sent to blob storage: " + storage.seen());
      assertTrue(reg.seen().stream().anyMatch(x -> x.path().contains("/blobs/") && x.authorization().equals("Bearer t0ken")),
          "the registry itself got the token");
      assertTrue(reg.seen().stream().anyMatch(x -> x.path().startsWith("/token?") && x.path().contains("scope=repository%3Atest%2Fimg%3Apull")),
          "token asked for pull on the repository: " + reg.seen());
    }
  }

  /**
   * A registry that sends the headers and part of the body, then goes silent: the reader ends with REGISTRY_STALLED
   * after the timeout (500 ms here) instead of hanging; the same for a manifest.
   */
  @Test
  void stalledBodyEndsWithACodeInsteadOfHanging() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    reg.override(ex -> {
      String path = ex.getRequestURI().getPath();
      if (path.endsWith(layerDigest) || path.endsWith("/manifests/stall")) {
        byte[] body = path.endsWith(layerDigest) ? layer : manifest;
        ex.getResponseHeaders().set("Content-Type", MediaType.OCI_MANIFEST.value());
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body, 0, body.length / 2);
        ex.getResponseBody().flush();
        try {
          release.await(20, java.util.concurrent.TimeUnit.SECONDS); // silent, connection open
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new java.io.IOException("released");
      }
      return false;
    });
    try {
      try (ImageSource s = source("v1")) {
        Descriptor l = layerDescriptor(s);
        // the server only lets go after 20 s, and then as a dropped connection (REGISTRY_TRUNCATED): STALLED proves
        // the watchdog ended the read
        CheckException e = fails(TransportCode.REGISTRY_STALLED, () -> s.blob(l).transferTo(OutputStream.nullOutputStream()));
        assertEquals(CheckException.Kind.CANNOT_CHECK, e.kind());
      }
      try (ImageSource s = source("stall")) {
        fails(TransportCode.REGISTRY_STALLED, s::root);
      }
    } finally {
      release.countDown();
    }
  }
}
