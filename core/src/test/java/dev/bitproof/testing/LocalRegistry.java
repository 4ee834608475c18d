package dev.bitproof.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;

/**
 * A real registry for tests: Debian's {@code docker-registry} (CNCF distribution 2.8) on 127.0.0.1.
 *
 * <ul>
 *   <li>{@link #plain()}: plain http, no auth. Uses the one {@code .ci/registry.sh start} runs on
 *       {@value #CI_PLAIN_PORT} (or {@code BITPROOF_REGISTRY} / {@code -Dbitproof.registry} = host:port) when it
 *       answers, else starts its own on a free port for this JVM.
 *   <li>{@link #basicTls()}: htpasswd basic auth over TLS with a self-signed certificate (SAN IP:127.0.0.1).
 *   <li>{@link #token()}: bearer tokens from a tiny in-JVM token server (RS256 JWT with an {@code x5c} header);
 *       anonymous callers get {@code pull}, callers with the right basic credentials get what they ask for.
 * </ul>
 *
 * <p>Every method skips the calling test (JUnit assumption) with a message when {@code docker-registry} is not
 * installed; {@code .ci/run} installs it, so in CI these tests run. Processes started here stop when the JVM
 * exits. Use {@link #uniqueRepository} so tests sharing a registry never collide.
 */
public final class LocalRegistry {
  /** The port {@code .ci/registry.sh} gives its plain registry. */
  public static final int CI_PLAIN_PORT = 5000;
  public static final String USERNAME = "bitproof";
  public static final String PASSWORD = "s3cret-pass";
  public static final String TOKEN_SERVICE = "bitproof-registry";
  public static final String TOKEN_ISSUER = "bitproof-token-issuer";
  private static final String BINARY = "/usr/bin/docker-registry";

  /**
   * One running registry.
   *
   * @param hostPort {@code 127.0.0.1:PORT}, what goes into {@code docker://HOST:PORT/repo}
   * @param tls whether it speaks https (self-signed: clients need {@code --insecure})
   * @param username user for basic or token auth, if the registry wants one
   * @param password its password
   */
  public record Endpoint(String hostPort, boolean tls, Optional<String> username, Optional<String> password) {
    public String scheme() {
      return tls ? "https" : "http";
    }

    /** {@code docker://HOST:PORT/REPO:TAG}. */
    public String ref(String repository, String tag) {
      return "docker://" + hostPort + "/" + repository + ":" + tag;
    }
  }

  private static Endpoint plain;
  private static Endpoint basicTls;
  private static Endpoint token;
  private static Path workDir;
  private static final List<Process> PROCESSES = new ArrayList<>();
  private static HttpServer tokenServer;

  private LocalRegistry() {}

  /** {@code host:port} of a plain-http registry without auth; skips the test when none can be had. */
  public static synchronized String plain() {
    return plainEndpoint().hostPort();
  }

  public static synchronized Endpoint plainEndpoint() {
    if (plain == null) {
      String configured = System.getProperty("bitproof.registry", System.getenv("BITPROOF_REGISTRY"));
      if (configured != null && !configured.isBlank() && answers("http", configured)) {
        plain = new Endpoint(configured, false, Optional.empty(), Optional.empty());
      } else if (answers("http", "127.0.0.1:" + CI_PLAIN_PORT)) {
        plain = new Endpoint("127.0.0.1:" + CI_PLAIN_PORT, false, Optional.empty(), Optional.empty());
      } else {
        requireBinary();
        int port = start("plain", "");
        plain = new Endpoint("127.0.0.1:" + port, false, Optional.empty(), Optional.empty());
      }
    }
    return plain;
  }

  /** A registry wanting basic auth ({@link #USERNAME}/{@link #PASSWORD}) over self-signed TLS. */
  public static synchronized Endpoint basicTls() {
    if (basicTls == null) {
      requireBinary();
      try {
        Path dir = work().resolve("basic");
        Files.createDirectories(dir);
        KeyPair kp = rsa();
        X509Certificate cert = selfSigned(kp, "CN=127.0.0.1", true);
        Path crt = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, USERNAME + ":" + bcrypt(PASSWORD) + "\n");
        int port = start("basic", "  tls:\n    certificate: " + crt + "\n    key: " + key + "\n"
            + "auth:\n  htpasswd:\n    realm: bitproof-basic\n    path: " + htpasswd + "\n");
        basicTls = new Endpoint("127.0.0.1:" + port, true, Optional.of(USERNAME), Optional.of(PASSWORD));
      } catch (Exception e) {
        throw new IllegalStateException("could not set up the basic-auth registry", e);
      }
    }
    return basicTls;
  }

  /** A plain-http registry using bearer tokens from an in-JVM token server. */
  public static synchronized Endpoint token() {
    if (token == null) {
      requireBinary();
      try {
        Path dir = work().resolve("token");
        Files.createDirectories(dir);
        KeyPair kp = rsa();
        X509Certificate cert = selfSigned(kp, "CN=" + TOKEN_ISSUER, false);
        Path bundle = dir.resolve("token.crt");
        Files.writeString(bundle, pem("CERTIFICATE", cert.getEncoded()));
        tokenServer = startTokenServer(kp.getPrivate(), cert);
        String realm = "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token";
        int port = start("token", "auth:\n  token:\n    realm: " + realm + "\n    service: " + TOKEN_SERVICE + "\n"
            + "    issuer: " + TOKEN_ISSUER + "\n    rootcertbundle: " + bundle + "\n");
        token = new Endpoint("127.0.0.1:" + port, false, Optional.of(USERNAME), Optional.of(PASSWORD));
      } catch (Exception e) {
        throw new IllegalStateException("could not set up the token-auth registry", e);
      }
    }
    return token;
  }

  /**
   * A fresh plain-http registry that posts its notifications (distribution's {@code notifications.endpoints}) to
   * {@code url}, with {@code Authorization: Bearer <token>} when a token is given.
   */
  public static synchronized Endpoint notifying(String url, Optional<String> bearerToken) {
    return notifying(List.of(url), bearerToken);
  }

  /**
   * The same, notifying every URL (one endpoint each: every event goes to all of them, as to several hook replicas).
   * For a hook that must be told the registry's address before the registry can be told the hook's, notify a
   * {@link NotificationRelay} and point the relay at the hook once it is up.
   */
  public static synchronized Endpoint notifying(List<String> urls, Optional<String> bearerToken) {
    requireBinary();
    StringBuilder eps = new StringBuilder("notifications:\n  endpoints:\n");
    for (int i = 0; i < urls.size(); i++) {
      eps.append("    - name: bitproof-hook-").append(i).append("\n      url: ").append(urls.get(i)).append("\n")
          .append(bearerToken.map(t -> "      headers:\n        Authorization: [\"Bearer " + t + "\"]\n").orElse(""))
          .append("      timeout: 5s\n      threshold: 10\n      backoff: 1s\n");
    }
    int port = start("notify-" + UUID.randomUUID().toString().substring(0, 8), eps.toString());
    return new Endpoint("127.0.0.1:" + port, false, Optional.empty(), Optional.empty());
  }

  /** A repository name no other test (or run) uses: {@code bitproof-test/<prefix>-<random>}. */
  public static String uniqueRepository(String prefix) {
    return "bitproof-test/" + prefix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The skopeo binary, skipping the test when it is not installed (CI installs it). */
  public static Path skopeo() {
    Path p = Path.of("/usr/bin/skopeo");
    Assumptions.assumeTrue(Files.isExecutable(p), "skipped: skopeo is not installed (apt-get install skopeo; .ci/run does)");
    return p;
  }

  /** Runs a command, returning stdout; fails with its stderr when it exits non-zero. */
  public static String exec(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + new String(err, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Raw bytes of a command's stdout. */
  public static byte[] execBytes(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit " + p.exitValue());
    }
    return out;
  }

  private static void requireBinary() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of(BINARY)),
        "skipped: docker-registry is not installed (apt-get install docker-registry; .ci/run does)");
  }

  private static Path work() throws IOException {
    if (workDir == null) {
      workDir = Files.createTempDirectory("bitproof-registry-");
      Runtime.getRuntime().addShutdownHook(new Thread(LocalRegistry::shutdown, "local-registry-stop"));
    }
    return workDir;
  }

  /**
   * Starts a registry listening on a port it picks itself ({@code 127.0.0.1:0}: nothing is picked, released and bound
   * again, which another process could take meanwhile) and returns that port, read from the process's own listening
   * socket ({@link #listeningPort}).
   */
  private static int start(String name, String extra) {
    try {
      Path dir = work().resolve(name);
      Files.createDirectories(dir.resolve("storage"));
      String http = "http:\n  addr: 127.0.0.1:0\n  secret: bitproof-test-" + name + "\n";
      String auth = "";
      int authAt = extra.indexOf("auth:");
      String tls = extra;
      if (authAt >= 0) {
        tls = extra.substring(0, authAt);
        auth = extra.substring(authAt);
      }
      String config = "version: 0.1\n"
          + "log:\n  level: error\n  accesslog:\n    disabled: true\n"
          + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("storage") + "\n  delete:\n    enabled: true\n"
          + http + tls + auth;
      Path cfg = dir.resolve("config.yml");
      Files.writeString(cfg, config);
      Process p = new ProcessBuilder(BINARY, "serve", cfg.toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("registry.log").toFile())
          .start();
      PROCESSES.add(p);
      String scheme = extra.contains("tls:") ? "https" : "http";
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int port;
      while ((port = listeningPort(p.toHandle())) == 0 || !answers(scheme, "127.0.0.1:" + port)) {
        if (!p.isAlive()) {
          throw new IllegalStateException("docker-registry (" + name + ") exited: "
              + Files.readString(dir.resolve("registry.log")));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("docker-registry (" + name + ") did not answer (port " + port + ")");
        }
        Thread.sleep(50);
      }
      return port;
    } catch (IOException e) {
      throw new IllegalStateException("could not start docker-registry", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Does a distribution registry answer {@code /v2/} here (200 or 401 with its API header)? */
  static boolean answers(String scheme, String hostPort) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(scheme + "://" + hostPort + "/v2/").toURL().openConnection();
      if (c instanceof javax.net.ssl.HttpsURLConnection https) {
        https.setSSLSocketFactory(trustAll().getSocketFactory());
        https.setHostnameVerifier((h, s) -> true);
      }
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      String api = c.getHeaderField("Docker-Distribution-Api-Version");
      c.disconnect();
      return (code == 200 || code == 401) && api != null && api.startsWith("registry/2");
    } catch (IOException e) {
      return false;
    }
  }

  private static javax.net.ssl.SSLContext trustAll() {
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new java.security.SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The TCP port {@code process} listens on, or 0 while it listens on none: its socket inodes
   * ({@code /proc/PID/fd/* -> socket:[INODE]}) looked up among the LISTEN sockets of {@code /proc/net/tcp}.
   */
  static int listeningPort(ProcessHandle process) {
    java.util.Set<String> inodes = new java.util.HashSet<>();
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
      List<String> table = Files.readAllLines(Path.of("/proc/net/tcp"));
      for (String line : table.subList(Math.min(1, table.size()), table.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st ... inode (index 9); st 0A = LISTEN
        if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
          return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  private static synchronized void shutdown() {
    for (Process p : PROCESSES) {
      p.destroy();
    }
    for (Process p : PROCESSES) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
    if (workDir != null) {
      try (var walk = Files.walk(workDir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // temp dir: best effort
      }
    }
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static X509Certificate selfSigned(KeyPair kp, String dn, boolean loopbackSan) throws Exception {
    Instant now = Instant.now();
    X500Name name = new X500Name(dn);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyCertSign));
    if (loopbackSan) {
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static String bcrypt(String password) {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 6);
  }

  /** distribution's token auth: RS256 JWT whose x5c header carries the certificate in the registry's bundle. */
  private static HttpServer startTokenServer(PrivateKey key, X509Certificate cert) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String basic = "Basic " + Base64.getEncoder().encodeToString((USERNAME + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    s.createContext("/token", ex -> {
      try (ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        boolean authed = basic.equals(auth);
        if (auth != null && !authed) {
          ex.sendResponseHeaders(401, -1);
          return;
        }
        StringBuilder access = new StringBuilder("[");
        String q = Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse("");
        for (String kv : q.split("&")) {
          if (!kv.startsWith("scope=")) {
            continue;
          }
          String scope = URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
          String[] parts = scope.split(":");
          if (parts.length != 3) {
            continue;
          }
          List<String> actions = new ArrayList<>();
          for (String a : parts[2].split(",")) {
            if (authed || a.equals("pull")) {
              actions.add("\"" + a + "\"");
            }
          }
          if (access.length() > 1) {
            access.append(',');
          }
          access.append("{\"type\":\"").append(parts[0]).append("\",\"name\":\"").append(parts[1])
              .append("\",\"actions\":[").append(String.join(",", actions)).append("]}");
        }
        access.append(']');
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\""
            + Base64.getEncoder().encodeToString(cert.getEncoded()) + "\"]}";
        String claims = "{\"iss\":\"" + TOKEN_ISSUER + "\",\"sub\":\"" + (authed ? USERNAME : "") + "\",\"aud\":\""
            + TOKEN_SERVICE + "\",\"exp\":" + (now + 600) + ",\"nbf\":" + (now - 60) + ",\"iat\":" + now
            + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":" + access + "}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
            + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String jwt = signingInput + "." + b64.encodeToString(sig.sign());
        byte[] body = ("{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":600}")
            .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      } catch (java.security.GeneralSecurityException e) {
        throw new IOException(e);
      }
    });
    s.start();
    return s;
  }

  /**
   * A copy of an apko-style layout (whose {@code index.json} IS the image index) in the form skopeo's {@code oci:}
   * transport reads: the index stored as a blob and named {@code tag} in a new {@code index.json}. Use
   * {@code oci:<result>:<tag>} with skopeo.
   */
  public static Path indexAsTaggedLayout(Path layout, String tag, Path into) throws IOException {
    Path blobs = into.resolve("blobs/sha256");
    Files.createDirectories(blobs);
    try (var list = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path b : (Iterable<Path>) list::iterator) {
        Files.copy(b, blobs.resolve(b.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    byte[] index = Files.readAllBytes(layout.resolve("index.json"));
    String hex = dev.bitproof.oci.Digest.sha256(index).hex();
    Files.write(blobs.resolve(hex), index);
    Files.writeString(into.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(into.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:" + hex
        + "\",\"size\":" + index.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
    return into;
  }

  /** Reads a whole stream (small helper for tests). */
  public static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }
}
