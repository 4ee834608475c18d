package dev.bitproof.javaimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.tools.jib.api.Containerizer;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.tar.TarEntryInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image builder on small inputs the test makes: two builds from copies whose files have other times and modes
 * give the same bytes; what the image holds (modes, owners, times, user, entry point, layers) is what the builder
 * promises. bitproof's real image is built and run by the cli's SelfImageTest.
 */
class JavaImageBuilderTest {
  static final Instant TIME = Instant.ofEpochSecond(1_700_000_000L);

  @TempDir
  Path tmp;

  /** A fake runtime, classes and jars under {@code dir}, every file's time {@code mtime}; group-writable, setgid dirs when {@code loose}. */
  static JavaImageSpec inputs(Path dir, Path hostLib, long mtime, boolean loose) throws IOException {
    Path rt = Files.createDirectories(dir.resolve("runtime"));
    Files.createDirectories(rt.resolve("bin"));
    Files.writeString(rt.resolve("bin/java"), "#not really java\n");
    Files.createDirectories(rt.resolve("lib/server"));
    Files.writeString(rt.resolve("lib/server/libjvm.so"), "jvm\n");
    Files.createDirectories(rt.resolve("legal/java.base"));
    Files.writeString(rt.resolve("legal/java.base/LICENSE"), "license\n");
    Files.createDirectories(rt.resolve("legal/java.sql"));
    // jlink writes the other modules' legal notices as links to java.base's
    Files.createSymbolicLink(rt.resolve("legal/java.sql/LICENSE"), Path.of("../java.base/LICENSE"));
    Path classes = Files.createDirectories(dir.resolve("classes/dev/x"));
    Files.write(classes.resolve("Main.class"), new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
    Files.writeString(dir.resolve("classes/app.properties"), "a=b\n");
    Path libs = Files.createDirectories(dir.resolve("libs"));
    Path dep = jar(libs.resolve("dep-1.0.jar"), "dep/D.class");
    Path snap = jar(libs.resolve("mod-0.1-SNAPSHOT.jar"), "mod/M.class");
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        if (loose) {
          Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? 02775 : p.endsWith("bin/java") ? 0775 : 0664);
        } else {
          Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? 0755 : p.endsWith("bin/java") ? 0700 : 0600);
        }
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtime)));
      }
    }
    return new JavaImageSpec(rt, List.of(hostLib.toString()), List.of(dep, snap), dir.resolve("classes"), "dev.x.Main",
        List.of("-Xss1m"), 65532, TIME, "amd64", Map.of("org.opencontainers.image.title", "x"));
  }

  private static Path jar(Path file, String entry) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      ZipEntry e = new ZipEntry(entry);
      e.setTime(0);
      z.putNextEntry(e);
      z.write(1);
      z.closeEntry();
    }
    return file;
  }

  private Path hostLib() throws IOException {
    Path lib = Files.createDirectories(tmp.resolve("host/lib")).resolve("libc.so.6");
    if (!Files.exists(lib)) {
      Files.writeString(lib, "libc\n");
    }
    return lib;
  }

  private Path build(String name, long mtime, boolean loose) throws Exception {
    JavaImageSpec spec = inputs(Files.createDirectories(tmp.resolve(name)), hostLib(), mtime, loose);
    Path out = tmp.resolve(name + "-out/image.tar");
    JavaImageBuilder.build(spec, new JavaImageBuilder.Target.OciArchive(out, "x:1"), Files.createDirectories(tmp.resolve(name + "-scratch")));
    return out;
  }

  @Test
  void twoBuildsFromInputsWithOtherTimesAndModesAreTheSameBytes() throws Exception {
    Path a = build("a", 1_000_000_000L, false);
    Path b = build("b", 1_600_000_000L, true);
    assertEquals(-1, Files.mismatch(a, b), "the two oci-archives differ");
    assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
    try (Stream<Path> s = Files.list(a.getParent())) {
      assertEquals(List.of(a), s.toList(), "nothing but the archive is left beside it");
    }
  }

  @Test
  void theImageHoldsWhatTheBuilderPromises() throws Exception {
    Path archive = build("a", 1_000_000_000L, true);
    try (ImageSource src = Transports.source(ImageReference.parse("oci-archive:" + archive), TransportOptions.defaults())) {
      Images.Resolved img = Images.walk(src).images().get(0);
      var config = img.config();
      assertEquals("65532:65532", config.user());
      assertEquals(List.of("/opt/java/bin/java", "-Xss1m", "-cp",
          "/app/resources:/app/classes:/app/libs/dep-1.0.jar:/app/libs/mod-0.1-SNAPSHOT.jar", "dev.x.Main"), config.entrypoint());
      assertEquals("2023-11-14T22:13:20Z", config.created().orElseThrow());
      assertEquals("amd64", config.architecture());
      assertEquals("/home/nonroot", config.workingDir());
      assertTrue(config.env().contains("LANG=C.UTF-8") && config.env().contains("PATH=/opt/java/bin"), config.env().toString());
      assertEquals(Map.of("org.opencontainers.image.title", "x"), config.labels());
      assertEquals(List.of("system", "java-runtime", "dependencies", "snapshot dependencies", "resources", "classes"),
          config.history().stream().map(h -> h.path("comment").asText()).toList());
      for (var h : config.history()) {
        assertEquals("jib-core:" + JavaImageBuilder.JIB_VERSION, h.path("created_by").asText());
      }

      ImageFilesystem fs = ImageFilesystem.read(src, img.manifest(), (p, size) -> size < 4096);
      for (ImageFilesystem.Node n : fs.nodes()) {
        TarEntryInfo e = n.entry();
        assertTrue(e.type() == TarEntryInfo.Type.FILE || e.type() == TarEntryInfo.Type.DIRECTORY, e.path() + ": " + e.type());
        int perm = e.mode() & 07777;
        boolean owned = e.path().equals("home/nonroot") || e.path().equals("tmp");
        assertEquals(owned ? 65532 : 0, e.uid(), e.path());
        assertEquals(owned ? 65532 : 0, e.gid(), e.path());
        if (e.type() == TarEntryInfo.Type.DIRECTORY) {
          assertEquals(owned ? 0700 : 0755, perm, e.path() + " mode " + Integer.toOctalString(perm));
        } else {
          assertEquals(TIME.getEpochSecond(), e.mtimeSeconds(), e.path());
          boolean exec = e.path().equals("opt/java/bin/java") || e.path().endsWith("libc.so.6");
          assertEquals(exec ? 0755 : 0644, perm, e.path() + " mode " + Integer.toOctalString(perm));
        }
      }
      assertEquals("license\n", new String(fs.content("opt/java/legal/java.sql/LICENSE").orElseThrow(), StandardCharsets.UTF_8),
          "a link in the runtime is copied as the file it names");
      String libc = hostLib().toString().substring(1);
      assertEquals("libc\n", new String(fs.content(libc).orElseThrow(), StandardCharsets.UTF_8), "host library at its own path");
      assertTrue(new String(fs.content("etc/passwd").orElseThrow(), StandardCharsets.UTF_8)
          .contains("nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin"));
      assertTrue(fs.get("app/classes/dev/x/Main.class").isPresent() && fs.get("app/resources/app.properties").isPresent());
      assertFalse(fs.get("app/resources/dev/x/Main.class").isPresent() || fs.get("app/classes/app.properties").isPresent());
      assertTrue(fs.get("app/libs/mod-0.1-SNAPSHOT.jar").isPresent());
      assertFalse(fs.get("bin/sh").isPresent() || fs.get("bin").isPresent(), "no shell, no /bin");
    }
  }

  @Test
  void pushedToARegistryItIsTheSameImage() throws Exception {
    String registry = dev.bitproof.testing.LocalRegistry.plain();
    Path archive = build("a", 1_000_000_000L, false);
    JavaImageSpec spec = inputs(Files.createDirectories(tmp.resolve("b")), hostLib(), 1_600_000_000L, true);
    String ref = registry + "/" + dev.bitproof.testing.LocalRegistry.uniqueRepository("javaimage") + ":1";
    JavaImageBuilder.Built pushed = JavaImageBuilder.build(spec, new JavaImageBuilder.Target.Registry(ref, null, null, true),
        Files.createDirectories(tmp.resolve("b-scratch")));
    try (ImageSource fromArchive = Transports.source(ImageReference.parse("oci-archive:" + archive), TransportOptions.defaults());
        ImageSource fromRegistry = Transports.source(ImageReference.parse("docker://" + ref), TransportOptions.defaults().withInsecure(true))) {
      Images.Resolved a = Images.walk(fromArchive).images().get(0);
      Images.Resolved r = Images.walk(fromRegistry).images().get(0);
      assertEquals(a.manifest().digest(), pushed.manifest());
      assertEquals(a.manifest().digest(), r.manifest().digest());
      assertEquals(a.config().digest(), r.config().digest());
    }
  }

  @Test
  void aFailedBuildLeavesNothingBehind() throws Exception {
    JavaImageSpec spec = inputs(Files.createDirectories(tmp.resolve("a")), hostLib(), 1, false);
    Files.delete(spec.classpath().get(0));
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    IOException e = assertThrows(IOException.class,
        () -> JavaImageBuilder.build(spec, new JavaImageBuilder.Target.OciArchive(outDir.resolve("image.tar"), "x:1"), scratch));
    assertTrue(e.getMessage().contains("dep-1.0.jar"), e.getMessage());
    try (Stream<Path> s = Stream.concat(Files.list(outDir), Files.list(scratch))) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void theSpecRefusesRootAndRelativeLibraries() throws Exception {
    JavaImageSpec ok = inputs(Files.createDirectories(tmp.resolve("a")), hostLib(), 1, false);
    assertThrows(IllegalArgumentException.class, () -> new JavaImageSpec(ok.runtime(), ok.nativeLibraries(), ok.classpath(),
        ok.classes(), ok.mainClass(), ok.jvmFlags(), 0, ok.time(), ok.architecture(), ok.labels()));
    assertThrows(IllegalArgumentException.class, () -> new JavaImageSpec(ok.runtime(), List.of("lib/libc.so.6"), ok.classpath(),
        ok.classes(), ok.mainClass(), ok.jvmFlags(), 65532, ok.time(), ok.architecture(), ok.labels()));
  }

  @Test
  void theNamedJibVersionIsTheOneOnTheClasspath() {
    // the history's created_by names it; the shaded jar hides jib's own manifest, so the builder names it itself
    assertEquals(Containerizer.class.getPackage().getImplementationVersion(), JavaImageBuilder.JIB_VERSION);
  }
}
