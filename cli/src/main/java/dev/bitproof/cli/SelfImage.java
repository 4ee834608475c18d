package dev.bitproof.cli;

import dev.bitproof.cli.options.ExitCodes;
import dev.bitproof.cli.render.Tool;
import dev.bitproof.javaimage.JavaImageBuilder;
import dev.bitproof.javaimage.JavaImageSpec;
import dev.bitproof.javaimage.JavaRuntime;
import dev.bitproof.javaimage.NativeLibraries;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Builds bitproof's own container image (docs/image.md): the recipe (modules, entry point, user) and a small
 * internal tool around {@link JavaImageBuilder}, run by {@code image/build.sh}. Not a bitproof command: it packages
 * bitproof, it verifies nothing.
 */
@Command(name = "self-image", mixinStandardHelpOptions = true,
    description = {"Build bitproof's own container image reproducibly (jib-core, from scratch): a jlinked Java runtime, "
        + "bitproof's jars and classes, user 65532, no shell. Prints the manifest digest.",
        "Usually run through image/build.sh, which builds the jars first."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:built", "2:usage error", "3:an input is missing", "4:the build failed"})
public final class SelfImage implements Callable<Integer> {
  /** The modules bitproof needs: jdeps' answer on the shaded jar (docs/image.md), plus the EC crypto provider. */
  public static final Set<String> MODULES = Set.of("java.base", "java.compiler", "java.desktop", "java.management",
      "java.naming", "java.net.http", "java.security.jgss", "java.sql", "jdk.httpserver", "jdk.unsupported",
      // SunEC: ECDSA/Ed25519 signatures and TLS key exchange; a service provider, so jdeps cannot see it
      "jdk.crypto.ec");
  public static final String MAIN_CLASS = Main.class.getName();
  /** distroless's "nonroot" user and group. */
  public static final int UID = 65532;

  @Option(names = "--classpath-file", required = true, paramLabel = "FILE",
      description = "The runtime classpath, one line, entries separated by the path separator "
          + "(cli/target/runtime-classpath.txt, written by the Maven build).")
  Path classpathFile;

  @Option(names = "--classes", required = true, paramLabel = "DIR", description = "The cli's compiled classes (cli/target/classes).")
  Path classes;

  @Option(names = "--runtime", paramLabel = "DIR", description = "A Java runtime already made by jlink (default: link one "
      + "from --jmods).")
  Path runtime;

  @Option(names = "--jmods", paramLabel = "DIR", description = "The JDK's jmods to link from (default: the running JDK's).")
  Path jmods;

  @Option(names = "--source-date-epoch", paramLabel = "SECONDS", description = "Creation time and every file's time "
      + "(default: $SOURCE_DATE_EPOCH, else 1).")
  Long epoch;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A config label (repeatable).")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--name", paramLabel = "REF", description = "The image name in the archive's index (default: bitproof:VERSION).")
  String name;

  @CommandLine.ArgGroup(multiplicity = "1")
  Output output;

  static final class Output {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write an OCI image layout tar (oci-archive:FILE).")
    Path file;

    @Option(names = "--push", paramLabel = "REF", description = "Push to a registry (HOST/REPO:TAG) instead.")
    String push;
  }

  @Option(names = "--insecure", description = "With --push: allow plain http / unverified TLS (loopback registries).")
  boolean insecure;

  @Option(names = "--creds", paramLabel = "USER:PASS", description = "With --push: registry credentials.")
  String creds;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(out, err, args));
  }

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new SelfImage());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, c, p) -> {
      err.println("bitproof self-image: " + ex.getMessage());
      err.flush();
      return ex instanceof java.nio.file.NoSuchFileException ? ExitCodes.CANNOT_CHECK : ExitCodes.INTERNAL;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** bitproof's image: {@code classpath} and {@code classes} on {@code runtime}, as {@link #UID}, at {@code time}. */
  public static JavaImageSpec spec(Path runtime, List<Path> classpath, Path classes, Instant time,
      Map<String, String> labels) throws IOException {
    return new JavaImageSpec(runtime, NativeLibraries.of(runtime), classpath, classes, MAIN_CLASS, List.of(), UID, time,
        JavaImageSpec.ociArchitecture(System.getProperty("os.arch")), labels);
  }

  /** The entries of a classpath file (Maven's {@code dependency:build-classpath} output). */
  public static List<Path> readClasspath(Path file) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String e : Files.readString(file, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
      if (!e.isBlank()) {
        out.add(Path.of(e.strip()));
      }
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    long seconds = epoch != null ? epoch : sourceDateEpoch();
    List<Path> classpath = readClasspath(classpathFile);
    Path scratch = Files.createTempDirectory("bitproof-self-image-");
    try {
      Path rt = runtime;
      if (rt == null) {
        err.println("bitproof self-image: linking the Java runtime (" + String.join(",", new java.util.TreeSet<>(MODULES)) + ")");
        err.flush();
        rt = JavaRuntime.link(jmods != null ? jmods : JavaRuntime.runningJdkJmods(), MODULES, scratch.resolve("runtime"));
      }
      JavaImageSpec s = spec(rt, classpath, classes, Instant.ofEpochSecond(seconds), labels);
      String ref = name != null ? name : "bitproof:" + Tool.version();
      JavaImageBuilder.Target target;
      String where;
      if (output.file != null) {
        target = new JavaImageBuilder.Target.OciArchive(output.file, ref);
        where = "oci-archive:" + output.file;
      } else {
        String user = null;
        String pass = null;
        if (creds != null) {
          int colon = creds.indexOf(':');
          if (colon < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--creds must be USER:PASS");
          }
          user = creds.substring(0, colon);
          pass = creds.substring(colon + 1);
        }
        target = new JavaImageBuilder.Target.Registry(output.push, user, pass, insecure);
        where = "docker://" + output.push;
      }
      err.println("bitproof self-image: building " + where + " (SOURCE_DATE_EPOCH=" + seconds + ")");
      err.flush();
      JavaImageBuilder.Built b = JavaImageBuilder.build(s, target, scratch);
      PrintWriter out = spec.commandLine().getOut();
      out.println(b.manifest() + "  " + where);
      out.flush();
      return 0;
    } finally {
      try (var w = Files.walk(scratch)) {
        for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private long sourceDateEpoch() {
    String v = System.getenv("SOURCE_DATE_EPOCH");
    if (v == null || v.isBlank()) {
      return 1;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "SOURCE_DATE_EPOCH is not a number of seconds: " + v);
    }
  }
}
