package dev.bitproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitproof.cli.CliRunner.Run;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.io.Decompress;
import dev.bitproof.javaimage.JavaImageBuilder;
import dev.bitproof.javaimage.JavaImageSpec;
import dev.bitproof.javaimage.JavaRuntime;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.ImageConfig;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.policy.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bitproof's own image (docs/image.md), built from this build's jars twice, in two directories whose input files
 * carry other times and modes: {@code bitproof compare} says BIT_IDENTICAL and the archives are the same bytes; the
 * image runs {@code --version} from its unpacked root (in a chroot as user 65532 when the test runs as root), has no
 * shell and passes bitproof's own production policy.
 *
 * <p>The jlinked runtime is a fixture made once per test run (jlink takes ~17 s on a loaded 2-core machine); that
 * jlink itself is byte-stable is measured by {@code image/build.sh --twice}, not here.
 */
class SelfImageTest {
  static final Instant EPOCH = Instant.ofEpochSecond(1_700_000_000L);
  static final Set<String> SHELL_NAMES = Set.of("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox", "csh", "tcsh");

  @TempDir
  static Path shared;

  private static Path runtime;
  private static Path[] archives;

  /** The cli's runtime classpath as the Maven build wrote it; skips when it is absent or not all jars. */
  static List<Path> classpath() throws IOException {
    Path base = Path.of(System.getProperty("basedir", "."));
    Path file = base.resolve("target/runtime-classpath.txt");
    Assumptions.assumeTrue(Files.isRegularFile(file),
        "skipped: no target/runtime-classpath.txt (written by Maven's generate-resources phase; run through ./mvnw)");
    List<Path> cp = SelfImage.readClasspath(file);
    List<Path> notJars = cp.stream().filter(p -> !Files.isRegularFile(p)).toList();
    Assumptions.assumeTrue(notJars.isEmpty(), "skipped: the reactor handed the sibling modules on as class directories ("
        + notJars + "); run a phase from package on (./mvnw verify) so they are jars");
    return cp;
  }

  static synchronized Path runtime() throws IOException {
    if (runtime == null) {
      Path jmods = JavaRuntime.runningJdkJmods();
      boolean present = Files.isDirectory(jmods);
      if (!present && System.getenv("BITPROOF_REQUIRE_PEERS") != null) {
        throw new AssertionError("the JDK's jmods are required (BITPROOF_REQUIRE_PEERS is set) but " + jmods + " is missing");
      }
      Assumptions.assumeTrue(present, "skipped: this JDK has no jmods to jlink from (" + jmods
          + "; Debian: openjdk-17-jdk-headless)");
      long t0 = System.nanoTime();
      runtime = JavaRuntime.link(jmods, SelfImage.MODULES, shared.resolve("jre"));
      System.out.printf("[self-image] jlink: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    return runtime;
  }

  /** The two builds, made once: inputs copied to two directories with other file times and modes. */
  static synchronized Path[] archives() throws Exception {
    if (archives == null) {
      List<Path> cp = classpath();
      Path classes = Path.of(System.getProperty("basedir", ".")).resolve("target/classes");
      Path rt = runtime();
      Path[] out = new Path[2];
      long[] mtimes = {1_000_000_000L, 1_760_000_000L};
      for (int i = 0; i < 2; i++) {
        Path dir = Files.createDirectories(shared.resolve("build-" + i));
        Path rtCopy = copyTree(rt, dir.resolve("jre"));
        Path classesCopy = copyTree(classes, dir.resolve("classes"));
        List<Path> jars = new ArrayList<>();
        Path libs = Files.createDirectories(dir.resolve("libs"));
        for (Path jar : cp) {
          jars.add(Files.copy(jar, libs.resolve(jar.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES));
        }
        touch(dir, mtimes[i], i == 1);
        long t0 = System.nanoTime();
        JavaImageSpec spec = SelfImage.spec(rtCopy, jars, classesCopy, EPOCH, Map.of());
        out[i] = dir.resolve("out/bitproof.tar");
        JavaImageBuilder.build(spec, new JavaImageBuilder.Target.OciArchive(out[i], "bitproof:test"),
            Files.createDirectories(dir.resolve("scratch")));
        System.out.printf("[self-image] build %d: %.1f s, %d bytes%n", i + 1, (System.nanoTime() - t0) / 1e9, Files.size(out[i]));
      }
      archives = out;
    }
    return archives;
  }

  @Test
  void twoBuildsOfBitproofsImageAreBitIdentical() throws Exception {
    Path[] a = archives();
    Run r = CliRunner.run("compare", "oci-archive:" + a[0], "oci-archive:" + a[1], "--format", "json", "--require", "bit");
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals("BIT_IDENTICAL", r.json().path("verdict").asText(), r.out());
    assertEquals(-1, Files.mismatch(a[0], a[1]), "the two oci-archives are not the same bytes");
  }

  @Test
  void theImageRunsItsEntrypointAsNonRootWithoutAShell() throws Exception {
    Path archive = archives()[0];
    Path root = shared.resolve("rootfs");
    ImageConfig config;
    try (ImageSource src = Transports.source(ImageReference.parse("oci-archive:" + archive), TransportOptions.defaults())) {
      Images.Resolved img = Images.walk(src).images().get(0);
      config = img.config();
      if (!Files.isDirectory(root)) {
        unpack(src, img.manifest().layers(), root);
      }
    }
    assertEquals(SelfImage.UID + ":" + SelfImage.UID, config.user());
    List<String> entrypoint = config.entrypoint();
    assertEquals("/opt/java/bin/java", entrypoint.get(0));
    assertEquals(SelfImage.MAIN_CLASS, entrypoint.get(entrypoint.size() - 1));

    List<String> shells = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(p -> SHELL_NAMES.contains(p.getFileName().toString())).forEach(p -> shells.add(root.relativize(p).toString()));
    }
    assertEquals(List.of(), shells, "a shell in the image");
    assertFalse(Files.exists(root.resolve("bin/sh"), java.nio.file.LinkOption.NOFOLLOW_LINKS));

    String out = runVersion(root, entrypoint);
    assertTrue(out.startsWith("bitproof " + Tool.version() + "\nJava 17"), out);
  }

  @Test
  void theImagePassesBitproofsOwnProductionPolicy() throws Exception {
    Run r = CliRunner.run("policy", "check", "oci-archive:" + archives()[0], "--format", "json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode doc = r.json();
    assertEquals("PASS", doc.path("result").asText(), r.out());
    Set<String> codes = new TreeSet<>();
    doc.findValues("code").forEach(c -> codes.add(c.asText()));
    for (Rule must : List.of(Rule.RUNS_AS_ROOT, Rule.SHELL_PRESENT, Rule.PACKAGE_MANAGER_PRESENT, Rule.SETUID_FILE,
        Rule.WORLD_WRITABLE, Rule.ENTRYPOINT_MISSING, Rule.USER_NOT_IN_PASSWD)) {
      assertFalse(codes.contains(must.name()), must + " reported: " + r.out());
    }
  }

  /**
   * Runs the image's entry point with {@code --version}. As root with util-linux: in a chroot of the unpacked root,
   * as the image's user, with a fresh /proc as a container runtime mounts one (glibc finds the runtime's libraries
   * through it). Otherwise the unpacked java runs on the host, its class path moved under {@code root}.
   */
  static String runVersion(Path root, List<String> entrypoint) throws Exception {
    boolean isRoot = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    boolean tools = Files.isExecutable(Path.of("/usr/sbin/chroot")) && Files.isExecutable(Path.of("/usr/bin/unshare"));
    if (isRoot && tools) {
      Files.createDirectories(root.resolve("proc"));
      List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--fork", "--pid", "--mount-proc=" + root.resolve("proc"),
          "/usr/sbin/chroot", "--userspec=" + SelfImage.UID + ":" + SelfImage.UID, root.toString()));
      cmd.addAll(entrypoint);
      cmd.add("--version");
      Result r = exec(cmd);
      if (r.code == 0) {
        return r.out;
      }
      if (!r.out.contains("unshare:")) {
        throw new AssertionError("the image's entrypoint failed in a chroot (exit " + r.code + "): " + r.out);
      }
      System.out.println("[self-image] unshare is not permitted here (" + r.out.strip() + "); running the unpacked java on the host");
    } else {
      System.out.println("[self-image] not root or no chroot/unshare: running the unpacked java on the host, not in a chroot");
    }
    List<String> cmd = new ArrayList<>();
    for (int i = 0; i < entrypoint.size(); i++) {
      String a = entrypoint.get(i);
      if (i == 0) {
        a = root + a;
      } else if (entrypoint.get(i - 1).equals("-cp")) {
        a = String.join(":", Stream.of(a.split(":")).map(e -> root + e).toList());
      }
      cmd.add(a);
    }
    cmd.add("--version");
    Result r = exec(cmd);
    assertEquals(0, r.code, r.out);
    return r.out;
  }

  record Result(int code, String out) {}

  static Result exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }

  /** Applies the layers (regular files and directories only: the image has nothing else) under {@code root}. */
  static void unpack(ImageSource src, List<Descriptor> layers, Path root) throws IOException {
    Files.createDirectories(root);
    boolean isRoot = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    for (Descriptor d : layers) {
      try (InputStream blob = src.blob(d); InputStream tar = Decompress.layer(d.mediaType(), blob, d.digest().toString());
          TarArchiveInputStream t = new TarArchiveInputStream(tar)) {
        TarArchiveEntry e;
        while ((e = t.getNextEntry()) != null) {
          Path p = root.resolve(e.getName()).normalize();
          assertTrue(p.startsWith(root), e.getName());
          if (e.isDirectory()) {
            Files.createDirectories(p);
          } else {
            assertTrue(e.isFile(), e.getName() + " is neither a file nor a directory");
            Files.createDirectories(p.getParent());
            Files.copy(t, p, StandardCopyOption.REPLACE_EXISTING);
          }
          Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
          if (isRoot) {
            Files.setAttribute(p, "unix:uid", (int) e.getLongUserId());
            Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId());
          }
        }
      }
    }
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, java.nio.file.LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  /** Every file's time to {@code seconds}; with {@code loose}, group-writable files and setgid directories. */
  static void touch(Path dir, long seconds, boolean loose) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        if (loose) {
          int mode = (int) Files.getAttribute(p, "unix:mode") & 0777;
          Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? (mode | 02070) : (mode | 0060));
        }
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(seconds)));
      }
    }
  }
}
