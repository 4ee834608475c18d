package dev.bitproof.javaimage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The C libraries (glibc, zlib, libstdc++, the dynamic loader) a linked Java runtime needs, found with the build
 * host's {@code ldd}: an image made from scratch has no other source for them. Each is placed in the image at the
 * path the loader found it at, with the host file's bytes, so the image reproduces exactly on hosts with the same
 * library packages (docs/image.md names them).
 *
 * <p>The graphics, font, image and sound libraries of {@code java.desktop} are left out of the scan: the
 * application uses that module only for {@code java.beans}, and their X11/freetype/ALSA dependencies would make the
 * image depend on what else the host has installed.
 */
public final class NativeLibraries {
  /** java.desktop's native libraries a headless tool never loads (and whose dependencies are not packaged). */
  public static final Set<String> NOT_SCANNED = Set.of("libawt.so", "libawt_headless.so", "libawt_xawt.so",
      "libfontmanager.so", "libjavajpeg.so", "libjawt.so", "liblcms.so", "libmlib_image.so", "libsplashscreen.so",
      "libjsound.so");

  private static final Pattern RESOLVED = Pattern.compile("^\\s*(\\S+) => (\\S+) \\(0x[0-9a-f]+\\)\\s*$");
  private static final Pattern NOT_FOUND = Pattern.compile("^\\s*(\\S+) => not found\\s*$");
  private static final Pattern DIRECT = Pattern.compile("^\\s*(/\\S+) \\(0x[0-9a-f]+\\)\\s*$");

  private NativeLibraries() {}

  /**
   * The absolute host paths (as the loader names them, sorted) of every library outside {@code runtime} that the
   * runtime's programs and native libraries load, the dynamic loader included.
   */
  public static List<String> of(Path runtime) throws IOException {
    List<Path> objects = new ArrayList<>();
    for (String dir : List.of("bin", "lib", "lib/server")) {
      Path d = runtime.resolve(dir);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> s = Files.list(d)) {
        s.filter(Files::isRegularFile)
            .filter(p -> dir.equals("bin") || p.getFileName().toString().endsWith(".so"))
            .filter(p -> !NOT_SCANNED.contains(p.getFileName().toString()))
            .sorted().forEach(objects::add);
      }
    }
    if (objects.isEmpty()) {
      throw new IOException("failed to list the runtime's native libraries: no programs or libraries under " + runtime);
    }
    Path real = runtime.toRealPath();
    Set<String> found = new TreeSet<>();
    for (Path o : objects) {
      for (String line : ldd(runtime, o)) {
        Matcher m;
        String path = null;
        if ((m = NOT_FOUND.matcher(line)).matches()) {
          throw new IOException("failed to list the runtime's native libraries: " + runtime.relativize(o)
              + " needs " + m.group(1) + ", which the build host does not have");
        } else if ((m = RESOLVED.matcher(line)).matches()) {
          path = m.group(2);
        } else if ((m = DIRECT.matcher(line)).matches()) {
          path = m.group(1);
        }
        if (path != null && !Path.of(path).toRealPath().startsWith(real)) {
          found.add(path);
        }
      }
    }
    return List.copyOf(found);
  }

  private static List<String> ldd(Path runtime, Path object) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("ldd", object.toString()).redirectErrorStream(true);
    // the runtime's own libraries (libjvm.so and the ones beside it) resolve as the launcher's RPATH resolves them
    pb.environment().put("LD_LIBRARY_PATH", runtime.resolve("lib") + ":" + runtime.resolve("lib/server"));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("failed to list the runtime's native libraries: cannot run ldd (glibc's; the image "
          + "builder needs a glibc build host): " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    int rc;
    try {
      rc = p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running ldd", e);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    if (rc != 0) {
      throw new IOException("failed to list the native libraries of " + object + " (ldd exit " + rc + "): " + text.strip());
    }
    return text.lines().toList();
  }
}
