package dev.bitproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The run the launcher records its class-data-sharing archive from ({@code -XX:ArchiveClassesAtExit}): the classes
 * that {@code --version}, {@code --help}, every command's {@code --help}, and {@code copy}/{@code inspect} between
 * the file transports and to and from a registry load (a tiny image made in a temp directory; a loopback registry
 * stand-in served from this JVM), so a command starts from the archive instead of parsing and verifying classes out
 * of the jar (the registry client over HttpURLConnection, Jackson and picocli). Output is discarded. Not a command.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    Main.run(sink, sink, "--version");
    Main.run(sink, sink, "--help");
    Main.run(sink, sink, "no-such-command");
    Main.commandLine().getSubcommands().forEach((name, sub) -> {
      Main.run(sink, sink, name, "--help");
      sub.getSubcommands().keySet().forEach(child -> Main.run(sink, sink, name, child, "--help"));
    });
    Path dir = Files.createTempDirectory("bitproof-cds-");
    try {
      String layout = "oci:" + tinyLayout(dir.resolve("src")) + ":v1";
      String ociArchive = "oci-archive:" + dir.resolve("a.tar") + ":v1";
      String dockerArchive = "docker-archive:" + dir.resolve("d.tar") + ":train:v1";
      Main.run(sink, sink, "copy", "--quiet", layout, ociArchive);
      Main.run(sink, sink, "copy", layout, dockerArchive);
      Main.run(sink, sink, "copy", "--format", "json", "docker-archive:" + dir.resolve("d.tar"), "oci:" + dir.resolve("back") + ":v1");
      Main.run(sink, sink, "copy", "--quiet", ociArchive, "oci:" + dir.resolve("back2"));
      Main.run(sink, sink, "inspect", layout);
      Main.run(sink, sink, "inspect", "--format", "json", ociArchive);
      Main.run(sink, sink, "inspect", "oci:" + dir.resolve("missing"));
      try {
        registry(sink, layout, dir);
      } catch (IOException | RuntimeException | LinkageError e) {
        // a JDK without jdk.httpserver, or no loopback port: the archive just lacks the registry client's classes
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    sink.flush();
  }

  /** Pushes the tiny image to a registry stand-in on a loopback port and pulls it back (HTTP client, uploads, auth-free). */
  private static void registry(PrintWriter sink, String layout, Path dir) throws IOException {
    java.util.Map<String, byte[]> blobs = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Map<String, byte[]> manifests = new java.util.concurrent.ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      try (ex) {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        byte[] body = ex.getRequestBody().readAllBytes();
        int status = 404;
        byte[] out = new byte[0];
        if (path.equals("/v2/")) {
          status = 200;
          out = "{}".getBytes(StandardCharsets.UTF_8);
        } else if (path.endsWith("/blobs/uploads/") && method.equals("POST")) {
          status = 202;
          ex.getResponseHeaders().set("Location", path + "session");
        } else if (path.contains("/blobs/uploads/") && method.equals("PUT")) {
          blobs.put(ex.getRequestURI().getQuery().replace("digest=", ""), body);
          status = 201;
        } else if (path.contains("/manifests/") && method.equals("PUT")) {
          manifests.put(path.substring(path.indexOf("/manifests/") + 11), body);
          status = 201;
        } else if (path.contains("/manifests/") && manifests.containsKey(path.substring(path.indexOf("/manifests/") + 11))) {
          status = 200;
          out = manifests.get(path.substring(path.indexOf("/manifests/") + 11));
          ex.getResponseHeaders().set("Content-Type", "application/vnd.oci.image.manifest.v1+json");
        } else if (path.contains("/blobs/sha256:") && blobs.containsKey(path.substring(path.indexOf("/blobs/") + 7))) {
          status = 200;
          out = blobs.get(path.substring(path.indexOf("/blobs/") + 7));
        }
        boolean head = method.equals("HEAD");
        ex.sendResponseHeaders(status, head || out.length == 0 ? -1 : out.length);
        if (!head && out.length > 0) {
          ex.getResponseBody().write(out);
        }
      }
    });
    server.start();
    try {
      String ref = "docker://127.0.0.1:" + server.getAddress().getPort() + "/train/image:v1";
      Main.run(sink, sink, "copy", "--quiet", "--insecure", layout, ref);
      Main.run(sink, sink, "inspect", "--insecure", ref);
      Main.run(sink, sink, "copy", "--quiet", "--insecure", ref, "oci:" + dir.resolve("pulled") + ":v1");
    } finally {
      server.stop(0);
    }
  }

  /** An OCI layout with one image: a config and one (not really gzip) layer; copy and inspect never open layers. */
  private static Path tinyLayout(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("blobs/sha256"));
    byte[] layer = new byte[4096];
    layer[0] = 0x1f;
    layer[1] = (byte) 0x8b;
    String layerDigest = put(dir, layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest
        + "\"]}}").getBytes(StandardCharsets.UTF_8);
    String configDigest = put(dir, config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{"
        + "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length
        + "}]}").getBytes(StandardCharsets.UTF_8);
    String manifestDigest = put(dir, manifest);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":"
        + manifest.length + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{"
        + "\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    return dir;
  }

  private static String put(Path dir, byte[] bytes) throws IOException {
    try {
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      Files.write(dir.resolve("blobs/sha256/" + hex), bytes);
      return "sha256:" + hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
