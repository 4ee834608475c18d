package dev.bitproof.sbom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A test image with one package of each ecosystem, made by the test: an apk (installed db), a Python dist-info
 * with RECORD, an npm package under node_modules, a jar with pom.properties and a nested jar, and (when Debian's
 * {@code go} is installed) a Go binary built here with one dependency served from a file-system module proxy, so
 * its build info carries a real {@code h1:} sum.
 */
final class EcosystemImage {
  static final String PY_DIR = "usr/lib/python3/site-packages/";
  static final String NPM_PKG = "usr/lib/node_modules/@demo/left-pad/package.json";
  static final String JAR = "opt/app/app-2.0.1.jar"; // artifactId-version, as Maven names it (trivy matches on it)
  static final String GO_BIN = "usr/local/bin/hello-go";

  private EcosystemImage() {}

  /** The layer tar; {@code goBinary} empty leaves the Go binary out. */
  static byte[] tar(Optional<byte[]> goBinary) throws IOException {
    String db = TestLayers.apkRecord("hello", "2.12-r0", "x86_64", Map.of("usr/bin/hello", "hi"));
    TestLayers t = new TestLayers().file("usr/lib/apk/db/installed", db).file("usr/bin/hello", "hi")
        .file("etc/os-release", "ID=wolfi\nVERSION_ID=20230201\n")
        .file(PY_DIR + "demo_pkg/__init__.py", "print('demo')\n")
        .file(PY_DIR + "Demo_Pkg-1.0.0a1.dist-info/METADATA", "Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 1.0.0a1\n"
            + "License-Expression: Apache-2.0\nClassifier: Programming Language :: Python\n\nA demo.\n")
        .file(PY_DIR + "Demo_Pkg-1.0.0a1.dist-info/RECORD", "demo_pkg/__init__.py,sha256=x,14\n"
            + "Demo_Pkg-1.0.0a1.dist-info/METADATA,,\nDemo_Pkg-1.0.0a1.dist-info/RECORD,,\n")
        .file(NPM_PKG, "{\"name\":\"@demo/left-pad\",\"version\":\"1.3.0\",\"license\":\"MIT\"}\n")
        .file("usr/lib/node_modules/@demo/left-pad/index.js", "module.exports = () => 1;\n")
        .file(JAR, jar());
    goBinary.ifPresent(b -> t.file(GO_BIN, b));
    return t.tar();
  }

  static byte[] jar() throws IOException {
    ByteArrayOutputStream nested = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(nested)) {
      put(z, "META-INF/maven/dev.demo/dep/pom.properties", "groupId=dev.demo\nartifactId=dep\nversion=0.9\n");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      put(z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
      put(z, "META-INF/maven/dev.demo/app/pom.properties", "groupId=dev.demo\nartifactId=app\nversion=2.0.1\n");
      put(z, "META-INF/maven/dev.demo/app/pom.xml", "<project><licenses><license><name>Apache-2.0</name></license></licenses></project>");
      z.putNextEntry(new ZipEntry("BOOT-INF/lib/dep-0.9.jar"));
      z.write(nested.toByteArray());
      z.closeEntry();
    }
    return out.toByteArray();
  }

  private static void put(ZipOutputStream z, String name, String content) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTime(0);
    z.putNextEntry(e);
    z.write(content.getBytes(StandardCharsets.UTF_8));
    z.closeEntry();
  }

  /** Debian's Go, if installed. */
  static Optional<Path> go() {
    for (String p : List.of("/usr/bin/go", "/usr/lib/go/bin/go")) {
      if (Files.isExecutable(Path.of(p))) {
        return Optional.of(Path.of(p));
      }
    }
    return Optional.empty();
  }

  /**
   * Builds {@code example.com/hello} (depending on {@code example.com/greet v1.2.3}, served by a file:// proxy made
   * here) with Debian's Go; offline. Caches under {@code target/go-cache} so reruns are quick.
   */
  static byte[] buildGo(Path dir) throws IOException, InterruptedException {
    Path proxy = dir.resolve("proxy/example.com/greet/@v");
    Files.createDirectories(proxy);
    Files.writeString(proxy.resolve("list"), "v1.2.3\n");
    Files.writeString(proxy.resolve("v1.2.3.info"), "{\"Version\":\"v1.2.3\",\"Time\":\"2024-01-01T00:00:00Z\"}\n");
    Files.writeString(proxy.resolve("v1.2.3.mod"), "module example.com/greet\n\ngo 1.19\n");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(proxy.resolve("v1.2.3.zip")))) {
      put(z, "example.com/greet@v1.2.3/go.mod", "module example.com/greet\n\ngo 1.19\n");
      put(z, "example.com/greet@v1.2.3/greet.go", "package greet\n\nfunc Hi() string { return \"hi\" }\n");
    }
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("go.mod"), "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v1.2.3\n");
    Files.writeString(src.resolve("main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n"
        + "func main() { fmt.Println(greet.Hi()) }\n");
    Path out = dir.resolve("hello-go");
    ProcessBuilder pb = new ProcessBuilder(go().orElseThrow().toString(), "build", "-buildvcs=false", "-trimpath", "-o",
        out.toString(), ".").directory(src.toFile()).redirectErrorStream(true);
    Path cache = Path.of("target/go-cache").toAbsolutePath();
    Map<String, String> env = pb.environment();
    env.put("GOPROXY", proxy.getParent().getParent().getParent().toUri().toString().replaceAll("/$", ""));
    env.put("GOFLAGS", "-mod=mod -modcacherw"); // a read-only module cache would stop the temp dir cleanup
    env.put("GOSUMDB", "off");
    env.put("GONOSUMDB", "*");
    env.put("GOTOOLCHAIN", "local");
    env.put("CGO_ENABLED", "0");
    env.put("GOCACHE", cache.resolve("build").toString());
    env.put("GOMODCACHE", dir.resolve("modcache").toString());
    env.put("HOME", dir.toString());
    Process p = pb.start();
    byte[] log = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("go build failed: " + new String(log, StandardCharsets.UTF_8));
    }
    return Files.readAllBytes(out);
  }
}
