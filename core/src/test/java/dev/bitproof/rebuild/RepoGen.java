package dev.bitproof.rebuild;

import dev.bitproof.testing.ApkFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Bench generator: a signed x86_64 apko repository shaped like a real image of about SIZE_MB of installed files
 * (many packages; per package many small text files, compressible, and a few large binaries, not) and its
 * {@code apko.yaml}. Seeded, so two runs write the same bytes. Not a test: {@code bench/rebuild-size.sh} runs it.
 *
 * <p>Usage: {@code RepoGen OUT_DIR SIZE_MB [ARCH,ARCH...]} (default x86_64; SIZE_MB per arch, each arch its own
 * random bytes).
 */
public final class RepoGen {
  private RepoGen() {}

  public static void main(String[] args) throws Exception {
    List<String> archs = args.length > 2 ? List.of(args[2].split(",")) : List.of("x86_64");
    System.out.println(write(Path.of(args[0]), Long.parseLong(args[1]), archs, 0));
  }

  /** Writes the repository and config under {@code out}; returns the config's path. */
  public static Path write(Path out, long sizeMb) throws Exception {
    return write(out, sizeMb, List.of("x86_64"), 0);
  }

  /**
   * Writes the repository (one directory per arch, SIZE_MB each) and config; returns the config's path. With
   * {@code bigFileMb > 0} the first package also holds one binary file of that many MiB (a file larger than a small
   * heap), and {@code packages} in the config can leave out the last {@code drop} packages (a second image that
   * differs in one package's files).
   */
  public static Path write(Path out, long sizeMb, List<String> archs, int bigFileMb) throws Exception {
    Files.createDirectories(out);
    TestRepo t = new TestRepo(out);
    List<String> names = new ArrayList<>();
    for (String arch : archs) {
      names = writeArch(t, sizeMb, arch, new Random(17 + arch.hashCode()), bigFileMb);
    }
    return t.config(archs, "", names.toArray(String[]::new));
  }

  private static List<String> writeArch(TestRepo t, long sizeMb, String arch, Random rnd, int bigFileMb)
      throws Exception {
    long size = sizeMb * 1024 * 1024;
    int packages = (int) Math.max(20, Math.min(400, size / (512 * 1024)));
    long perPackage = size / packages;
    List<ApkFixtures.Apk> apks = new ArrayList<>();
    List<String> names = new ArrayList<>();
    String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
        + "et dolore magna aliqua config value path usr lib share doc license copyright function return ";
    String[] w = words.split(" ");
    for (int i = 0; i < packages; i++) {
      String name = String.format("pkg%03d", i);
      names.add(name);
      ApkFixtures.Apk a = t.apk(name, name, arch).set("size", Long.toString(perPackage))
          .entry(ApkFixtures.Entry.dir("usr")).entry(ApkFixtures.Entry.dir("usr/lib"))
          .entry(ApkFixtures.Entry.dir("usr/lib/" + name)).entry(ApkFixtures.Entry.dir("usr/share"))
          .entry(ApkFixtures.Entry.dir("usr/share/" + name));
      if (i > 0) {
        a.depend(String.format("pkg%03d", rnd.nextInt(i)));
      }
      // about 40% in text files of 1-16 KiB, the rest in one to three binaries
      long text = perPackage * 2 / 5;
      int f = 0;
      while (text > 0) {
        int len = (int) Math.min(text, 1024 + rnd.nextInt(15 * 1024));
        StringBuilder sb = new StringBuilder(len + 16);
        while (sb.length() < len) {
          sb.append(w[rnd.nextInt(w.length)]).append(rnd.nextInt(8) == 0 ? '\n' : ' ');
        }
        sb.setLength(len);
        a.file("usr/share/" + name + "/doc" + (f++) + ".txt", sb.toString());
        text -= len;
      }
      long bin = perPackage - perPackage * 2 / 5;
      int parts = 1 + rnd.nextInt(3);
      for (int b = 0; b < parts; b++) {
        byte[] data = new byte[(int) (bin / parts)];
        rnd.nextBytes(data);
        a.file("usr/lib/" + name + "/lib" + b + ".so", new String(data, StandardCharsets.ISO_8859_1));
      }
      if (i == 0 && bigFileMb > 0) {
        byte[] data = new byte[bigFileMb << 20];
        rnd.nextBytes(data);
        a.file("usr/lib/" + name + "/big.bin", new String(data, StandardCharsets.ISO_8859_1));
      }
      apks.add(a);
      if (apks.size() == 20) {
        // written in batches: the generator itself stays small
        t.packagesAppend(arch, apks);
        apks.clear();
      }
    }
    t.packagesAppend(arch, apks);
    t.finishIndex(arch);
    return names;
  }
}
