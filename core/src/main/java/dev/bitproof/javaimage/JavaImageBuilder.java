package dev.bitproof.javaimage;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.JavaContainerBuilder;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ContainerBuildPlan;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.LayerObject;
import dev.bitproof.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * Builds a {@link JavaImageSpec} into an OCI image with jib-core, from scratch (there is no base image): a
 * {@code system} layer (the C libraries, {@code /etc/passwd} and {@code /etc/group} naming the one user, its home and
 * {@code /tmp}), a {@code java-runtime} layer ({@code /opt/java}), then jib's own Java layers: dependencies, snapshot
 * dependencies, resources and classes under {@code /app}. The entry point runs {@code /opt/java/bin/java} directly
 * (the image has no shell), as the non-root user.
 *
 * <p>What makes it reproducible: jib's layer writer sorts entries and clears owners; this builder fixes every
 * file's time to the spec's time and every mode to 755 (directories, executables) or 644, whatever the inputs' own
 * times and modes; the creation time is the spec's; the output is written through a temporary file and renamed, so
 * a failed build leaves nothing behind.
 */
public final class JavaImageBuilder {
  public static final String RUNTIME_ROOT = "/opt/java";
  public static final String APP_ROOT = JavaContainerBuilder.DEFAULT_APP_ROOT;
  public static final String HOME = "/home/nonroot";
  /** The jib-core this builds with (JavaImageBuilderTest checks it against the jar's manifest). */
  public static final String JIB_VERSION = "0.28.1";

  private static final FilePermissions DIR = FilePermissions.fromOctalString("755");
  private static final FilePermissions EXEC = FilePermissions.fromOctalString("755");
  private static final FilePermissions FILE = FilePermissions.fromOctalString("644");

  private JavaImageBuilder() {}

  /** Where the image goes. */
  public sealed interface Target {
    /** An OCI image layout in one tar file (skopeo's {@code oci-archive:}), its index naming {@code reference}. */
    record OciArchive(Path file, String reference) implements Target {}

    /** A registry ({@code docker://}); {@code insecure} allows plain http and unverified TLS (loopback tests). */
    record Registry(String reference, String username, String password, boolean insecure) implements Target {
      @Override
      public String toString() {
        return "Registry[" + reference + "]";
      }
    }
  }

  /** The built image's manifest and config digests. */
  public record Built(Digest manifest, Digest config) {}

  /**
   * Builds {@code spec} to {@code target}; {@code scratch} is a directory for the build's own temporary files
   * (jib's layer caches, the generated system files), removed again before returning.
   */
  public static Built build(JavaImageSpec spec, Target target, Path scratch) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory(scratch, "javaimage-");
    Path partial = null;
    try {
      JibContainerBuilder image = plan(spec, work.resolve("system"));
      Containerizer to;
      if (target instanceof Target.OciArchive a) {
        Path parent = a.file().toAbsolutePath().getParent();
        Files.createDirectories(parent);
        partial = Files.createTempFile(parent, "." + a.file().getFileName(), ".partial");
        to = Containerizer.to(TarImage.at(partial).named(a.reference())).setOfflineMode(true);
      } else {
        Target.Registry r = (Target.Registry) target;
        RegistryImage ri = RegistryImage.named(r.reference());
        if (r.username() != null) {
          ri.addCredential(r.username(), r.password());
        }
        to = Containerizer.to(ri).setAllowInsecureRegistries(r.insecure());
      }
      // the history's created_by is "jib-core:VERSION"; jib reads VERSION from its jar's manifest, which a shaded
      // jar (bitproof.jar) replaces: named here, so the image is the same from the shaded jar and from the classpath
      to.setToolName("jib-core").setToolVersion(JIB_VERSION)
          .setBaseImageLayersCache(work.resolve("cache-base")).setApplicationLayersCache(work.resolve("cache-app"));
      JibContainer c = image.containerize(to);
      if (target instanceof Target.OciArchive a) {
        Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(partial, a.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        partial = null;
      }
      return new Built(Digest.parse(c.getDigest().toString()), Digest.parse(c.getImageId().toString()));
    } catch (InvalidImageReferenceException e) {
      throw new IllegalArgumentException("not an image reference: " + e.getMessage(), e);
    } catch (RegistryException | CacheDirectoryCreationException e) {
      throw new IOException("failed to write the image to " + target + ": " + e.getMessage(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("failed to build the image: " + cause.getMessage(), cause);
    } finally {
      if (partial != null) {
        Files.deleteIfExists(partial);
      }
      JavaRuntime.deleteTree(work);
    }
  }

  /** jib's build plan for {@code spec}: the layers, entry point, user and config. */
  static JibContainerBuilder plan(JavaImageSpec spec, Path system) throws IOException {
    if (!Files.isRegularFile(spec.runtime().resolve("bin/java"))) {
      throw new IOException("failed to build the image: no bin/java in the runtime " + spec.runtime());
    }
    if (!Files.isDirectory(spec.classes())) {
      throw new IOException("failed to build the image: no classes directory " + spec.classes());
    }
    Instant t = spec.time();
    JavaContainerBuilder java = JavaContainerBuilder.from(ImageReference.scratch())
        .setModificationTimeProvider((source, inImage) -> t);
    List<Path> release = new ArrayList<>();
    List<Path> snapshots = new ArrayList<>();
    // the class path is spelled out jar by jar in the classpath's own order: "/app/libs/*" would be expanded in
    // directory order, which the image does not fix, and that order decides which of two equal classes loads
    StringBuilder cp = new StringBuilder(APP_ROOT + "/resources:" + APP_ROOT + "/classes");
    Set<String> names = new TreeSet<>();
    for (Path jar : spec.classpath()) {
      if (!Files.isRegularFile(jar)) {
        throw new IOException("failed to build the image: classpath entry is not a jar file: " + jar);
      }
      String name = jar.getFileName().toString();
      if (!names.add(name)) {
        throw new IOException("failed to build the image: two classpath jars are named " + name);
      }
      (name.contains("SNAPSHOT") ? snapshots : release).add(jar);
      cp.append(':').append(APP_ROOT).append("/libs/").append(name);
    }
    java.addResources(spec.classes(), p -> !p.toString().endsWith(".class"))
        .addClasses(spec.classes(), p -> p.toString().endsWith(".class"))
        .addDependencies(release).addSnapshotDependencies(snapshots);
    JibContainerBuilder image = java.toContainerBuilder();
    ContainerBuildPlan javaPlan = image.toContainerBuildPlan();

    List<FileEntriesLayer> layers = new ArrayList<>();
    layers.add(systemLayer(spec, system));
    layers.add(runtimeLayer(spec));
    for (LayerObject l : javaPlan.getLayers()) {
      layers.add((FileEntriesLayer) l);
    }
    List<String> entrypoint = new ArrayList<>();
    entrypoint.add(RUNTIME_ROOT + "/bin/java");
    entrypoint.addAll(spec.jvmFlags());
    entrypoint.addAll(List.of("-cp", cp.toString(), spec.mainClass()));

    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", RUNTIME_ROOT + "/bin");
    env.put("JAVA_HOME", RUNTIME_ROOT);
    env.put("HOME", HOME);
    // glibc's built-in UTF-8 locale: Java then reads and writes file names as UTF-8 (it would be ASCII otherwise)
    env.put("LANG", "C.UTF-8");
    String user = spec.uid() + ":" + spec.uid();
    return image.setFileEntriesLayers(layers).setEntrypoint(entrypoint).setUser(user)
        .setEnvironment(env).setWorkingDirectory(AbsoluteUnixPath.get(HOME)).setLabels(spec.labels())
        .setCreationTime(t).setFormat(ImageFormat.OCI)
        .setPlatforms(Set.of(new com.google.cloud.tools.jib.api.buildplan.Platform(spec.architecture(), "linux")));
  }

  /** The C libraries, the user's {@code /etc/passwd} and {@code /etc/group} entries, its home and {@code /tmp}. */
  private static FileEntriesLayer systemLayer(JavaImageSpec spec, Path system) throws IOException {
    Files.createDirectories(system);
    Path emptyDir = Files.createDirectories(system.resolve("empty"));
    int uid = spec.uid();
    Path passwd = Files.writeString(system.resolve("passwd"),
        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:" + uid + ":" + uid + ":nonroot:" + HOME + ":/sbin/nologin\n",
        StandardCharsets.UTF_8);
    Path group = Files.writeString(system.resolve("group"), "root:x:0:\nnonroot:x:" + uid + ":\n", StandardCharsets.UTF_8);
    Instant t = spec.time();
    FileEntriesLayer.Builder b = FileEntriesLayer.builder().setName("system");
    Set<String> dirs = new TreeSet<>(List.of("/etc", "/home", "/tmp", HOME));
    for (String lib : spec.nativeLibraries()) {
      dirs.addAll(ancestors(lib));
    }
    String owner = uid + ":" + uid;
    for (String d : dirs) {
      boolean owned = d.equals(HOME) || d.equals("/tmp");
      b.addEntry(emptyDir, AbsoluteUnixPath.get(d), owned ? FilePermissions.fromOctalString("700") : DIR, t,
          owned ? owner : "");
    }
    b.addEntry(passwd, AbsoluteUnixPath.get("/etc/passwd"), FILE, t, "");
    b.addEntry(group, AbsoluteUnixPath.get("/etc/group"), FILE, t, "");
    for (String lib : spec.nativeLibraries()) {
      Path host = Path.of(lib).toRealPath();
      if (!Files.isRegularFile(host)) {
        throw new IOException("failed to build the image: native library is not a file: " + lib);
      }
      // shared objects are mapped executable; the dynamic loader is run by the kernel: both 755, as Debian ships them
      b.addEntry(host, AbsoluteUnixPath.get(lib), EXEC, t, "");
    }
    return b.build();
  }

  /** {@code /opt/java}: every file of the runtime (links followed), executables 755, the rest 644. */
  private static FileEntriesLayer runtimeLayer(JavaImageSpec spec) throws IOException {
    Instant t = spec.time();
    FileEntriesLayer.Builder b = FileEntriesLayer.builder().setName("java-runtime");
    Path root = spec.runtime();
    for (String d : ancestors(RUNTIME_ROOT + "/x")) {
      b.addEntry(root, AbsoluteUnixPath.get(d), DIR, t, "");
    }
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.filter(p -> !p.equals(root)).sorted().toList();
    }
    for (Path p : all) {
      AbsoluteUnixPath inImage = AbsoluteUnixPath.get(RUNTIME_ROOT).resolve(root.relativize(p).toString());
      if (Files.isDirectory(p)) {
        b.addEntry(p, inImage, DIR, t, "");
      } else if (Files.isRegularFile(p)) {
        Path real = p.toRealPath();
        boolean exec = Files.getPosixFilePermissions(real).contains(PosixFilePermission.OWNER_EXECUTE);
        b.addEntry(real, inImage, exec ? EXEC : FILE, t, "");
      } else {
        throw new IOException("failed to build the image: neither file nor directory in the runtime: " + p);
      }
    }
    return b.build();
  }

  /** {@code /a/b/c} → {@code /a}, {@code /a/b}. */
  private static List<String> ancestors(String path) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while ((i = path.indexOf('/', i + 1)) > 0) {
      out.add(path.substring(0, i));
    }
    return out;
  }
}
