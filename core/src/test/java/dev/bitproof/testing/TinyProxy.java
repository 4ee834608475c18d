package dev.bitproof.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code tinyproxy}, a real forward proxy, started by the test on loopback. tinyproxy cannot listen on
 * port 0 nor take a socket it is handed, so a port is chosen by binding port 0 and closing it, and tinyproxy is
 * started on it; when tinyproxy then fails to bind (another process took the port in between) it exits, and the start
 * is retried on a fresh port. Readiness is tinyproxy's own "Starting main loop" line, not a deadline.
 * Without tinyproxy the test is skipped with a reason, unless {@code BITPROOF_REQUIRE_PEERS=1}.
 */
public final class TinyProxy implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/tinyproxy");

  private final Process process;
  private final int port;
  private final List<String> log;
  private final Path dir;

  private TinyProxy(Process process, int port, List<String> log, Path dir) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.dir = dir;
  }

  /** Skips (or, with BITPROOF_REQUIRE_PEERS, fails) when tinyproxy is not installed. */
  public static void require() {
    boolean present = Files.isExecutable(BINARY);
    if (!present && System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
      throw new AssertionError("tinyproxy is required (BITPROOF_REQUIRE_PEERS is set) but " + BINARY + " is missing");
    }
    Assumptions.assumeTrue(present, "skipped: tinyproxy is not installed (apt-get install tinyproxy; .ci/run does)");
  }

  /** Starts tinyproxy on loopback with the extra config lines (e.g. {@code ConnectPort 443}). */
  public static TinyProxy start(Path dir, String... extraConfig) throws IOException, InterruptedException {
    require();
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path conf = dir.resolve("tinyproxy-" + port + ".conf");
      Files.writeString(conf, "Port " + port + "\nListen 127.0.0.1\nTimeout 600\nLogLevel Info\nMaxClients 50\n"
          + "Allow 127.0.0.1\nPidFile \"" + dir.resolve("tinyproxy-" + port + ".pid") + "\"\n"
          + String.join("\n", extraConfig) + "\n");
      Process p = new ProcessBuilder(BINARY.toString(), "-d", "-c", conf.toString()).redirectErrorStream(true).start();
      List<String> log = new CopyOnWriteArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      boolean ready = false;
      for (String line; (line = r.readLine()) != null; ) {
        log.add(line);
        if (line.contains("Starting main loop")) {
          ready = true;
          break;
        }
      }
      if (ready) {
        Thread drain = new Thread(() -> {
          try {
            for (String line; (line = r.readLine()) != null; ) {
              log.add(line);
            }
          } catch (IOException e) {
            // process ended
          }
        }, "tinyproxy-log");
        drain.setDaemon(true);
        drain.start();
        return new TinyProxy(p, port, log, dir);
      }
      p.waitFor(60, TimeUnit.SECONDS);
      last = new IOException("tinyproxy did not start on port " + port + ": " + String.join("\n", log));
      if (!String.join("\n", log).contains("Could not create listening sockets")) {
        throw last;
      }
    }
    throw last;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT} */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** What tinyproxy logged so far. */
  public List<String> log() {
    return List.copyOf(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
