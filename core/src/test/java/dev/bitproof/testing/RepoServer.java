package dev.bitproof.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A loopback HTTPS server (port 0, bound by itself) serving a directory, with a self-signed certificate made for the
 * test (SAN 127.0.0.1 and localhost; its PEM is {@link #caPem()}, to pass as {@code --ca-cert}). Faults on demand:
 * {@link #failNext} answers a path with a status a number of times, {@link #corrupt} serves other bytes.
 */
public final class RepoServer implements AutoCloseable {
  private final HttpsServer server;
  private final Path root;
  private final String caPem;
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final Map<String, Integer> failureStatus = new ConcurrentHashMap<>();
  private final Map<String, byte[]> overrides = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private RepoServer(Path root) throws Exception {
    this.root = root;
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    X509Certificate cert = selfSigned(kp);
    caPem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", kp.getPrivate(), "x".toCharArray(), new java.security.cert.Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "x".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext("/", ex -> {
      try (ex) {
        String path = ex.getRequestURI().getPath();
        requests.add(path);
        AtomicInteger left = failures.get(path);
        if (left != null && left.getAndDecrement() > 0) {
          ex.sendResponseHeaders(failureStatus.get(path), -1);
          return;
        }
        byte[] body = overrides.get(path);
        if (body == null) {
          Path f = root.resolve(path.substring(1)).normalize();
          if (!f.startsWith(root) || !Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            return;
          }
          body = Files.readAllBytes(f);
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      }
    });
    server.start();
  }

  /** Serves {@code root} over HTTPS on a loopback port of its own. */
  public static RepoServer serve(Path root) throws Exception {
    return new RepoServer(root.toAbsolutePath());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code https://127.0.0.1:PORT/} + path. */
  public String url(String path) {
    return "https://127.0.0.1:" + port() + "/" + path;
  }

  public String caPem() {
    return caPem;
  }

  public Path writeCa(Path dir) throws IOException {
    return Files.writeString(dir.resolve("test-ca.pem"), caPem);
  }

  public void failNext(String path, int status, int times) {
    failureStatus.put(path, status);
    failures.put(path, new AtomicInteger(times));
  }

  public void corrupt(String path, byte[] body) {
    overrides.put(path, body);
  }

  /** Serves the file again instead of the bytes {@link #corrupt} set. */
  public void restore(String path) {
    overrides.remove(path);
  }

  /** The paths requested so far, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  public Path root() {
    return root;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static X509Certificate selfSigned(KeyPair kp) throws Exception {
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=bitproof test repository");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
  }
}
