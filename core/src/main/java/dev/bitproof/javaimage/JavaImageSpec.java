package dev.bitproof.javaimage;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything that goes into a Java application's image, explicit, so that two builds from equal inputs are bit
 * identical wherever and whenever they run: no base image, no clock, no host user, no file times or modes.
 *
 * @param runtime a Java home made by {@link JavaRuntime#link} (copied to {@code /opt/java})
 * @param nativeLibraries absolute host paths of the C libraries the runtime loads ({@link NativeLibraries#of}),
 *     placed at the same paths in the image
 * @param classpath the application's jars (to {@code /app/libs}; a name with {@code SNAPSHOT} goes to its own layer,
 *     as jib's Maven plugin layers them)
 * @param classes the application's compiled output directory ({@code .class} files to {@code /app/classes}, the
 *     rest to {@code /app/resources})
 * @param mainClass the entry point's class
 * @param jvmFlags flags for {@code java} before {@code -cp}
 * @param uid the user and group the image runs as (also the owner of its home and of {@code /tmp})
 * @param time the image's creation time and every file's modification time (SOURCE_DATE_EPOCH)
 * @param architecture the OCI architecture of the runtime ({@code amd64}, {@code arm64})
 * @param labels config labels
 */
public record JavaImageSpec(Path runtime, List<String> nativeLibraries, List<Path> classpath, Path classes,
    String mainClass, List<String> jvmFlags, int uid, Instant time, String architecture, Map<String, String> labels) {
  private static final Pattern CLASS_NAME = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.]*");

  public JavaImageSpec {
    Objects.requireNonNull(runtime, "runtime");
    nativeLibraries = List.copyOf(nativeLibraries);
    for (String l : nativeLibraries) {
      if (!l.startsWith("/") || l.contains("/../") || l.endsWith("/..")) {
        throw new IllegalArgumentException("a native library must be an absolute path: " + l);
      }
    }
    classpath = List.copyOf(classpath);
    Objects.requireNonNull(classes, "classes");
    if (!CLASS_NAME.matcher(mainClass).matches()) {
      throw new IllegalArgumentException("not a class name: " + mainClass);
    }
    jvmFlags = List.copyOf(jvmFlags);
    if (uid <= 0) {
      throw new IllegalArgumentException("the image must run as a non-root user, not uid " + uid);
    }
    Objects.requireNonNull(time, "time");
    if (time.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException("time before the epoch: " + time);
    }
    Objects.requireNonNull(architecture, "architecture");
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /** The OCI architecture name of a JVM's {@code os.arch}. */
  public static String ociArchitecture(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> throw new IllegalArgumentException("no OCI architecture for os.arch " + osArch);
    };
  }
}
