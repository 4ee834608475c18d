package dev.bitproof.testing;

import dev.bitproof.testing.TestImages.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A distroless-style Debian root filesystem the test builds, the generic twin of {@code ../shared/data/deb/rootfs/
 * distroless-like-statusd.tar.xz}: {@code /etc/os-release} a symlink to {@code /usr/lib/os-release} (Debian 12), a
 * {@code /var/lib/dpkg/status.d} database (one control file and one {@code .md5sums} per package, as distroless
 * writes it), every listed file present with the checksum listed, a few files no package owns, no shell and no dpkg.
 */
public final class DistrolessLayer {
  private DistrolessLayer() {}

  /** One package of the layer: its control fields and the files it installs (path without leading slash → content). */
  public record Pkg(String name, String source, String version, String arch, Map<String, String> files) {}

  public static final String OS_RELEASE = """
      PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
      NAME="Debian GNU/Linux"
      VERSION_ID="12"
      VERSION="12 (bookworm)"
      VERSION_CODENAME=bookworm
      ID=debian
      """;

  /** The packages, in the order the layer writes them. */
  public static final List<Pkg> PACKAGES = List.of(
      new Pkg("base-files", null, "12.4+deb12u13", "amd64",
          files("etc/debian_version", "12.13\n", "usr/lib/os-release", OS_RELEASE, "etc/issue", "Debian GNU/Linux 12 \\n \\l\n")),
      new Pkg("netbase", null, "6.4", "all",
          files("etc/protocols", "ip\t0\tIP\n", "etc/services", "http\t80/tcp\n")),
      new Pkg("tzdata", null, "2025b-0+deb12u2", "all",
          files("usr/share/zoneinfo/UTC", "TZif2 UTC\n", "usr/share/zoneinfo/Europe/Paris", "TZif2 Paris\n")),
      new Pkg("gcc-12-base", "gcc-12", "12.2.0-14+deb12u1", "amd64",
          files("usr/share/doc/gcc-12-base/copyright", "GPL\n")),
      new Pkg("libgcc-s1", "gcc-12", "12.2.0-14+deb12u1", "amd64",
          files("lib/x86_64-linux-gnu/libgcc_s.so.1", "\u007fELF libgcc\n")),
      new Pkg("libc6", "glibc", "2.36-9+deb12u14", "amd64",
          files("lib/x86_64-linux-gnu/libc.so.6", "\u007fELF libc\n", "lib64/ld-linux-x86-64.so.2", "\u007fELF ld\n")));

  /** Files in the layer that no package owns (written by the image build, as distroless's passwd and group are). */
  public static final Map<String, String> UNOWNED = files("etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n",
      "etc/group", "root:x:0:\n");

  /** The number of file checksums the database lists. */
  public static int checksums() {
    return PACKAGES.stream().mapToInt(p -> p.files().size()).sum();
  }

  /** The layer as an uncompressed tar. */
  public static byte[] tar() throws IOException {
    return tar(PACKAGES);
  }

  /**
   * The same layer with other packages (e.g. {@link #PACKAGES} with one package given more files): each package's
   * files, control file and md5sums as above; directories a file needs beyond the standard ones come after them.
   */
  public static byte[] tar(List<Pkg> packages) throws IOException {
    List<Entry> es = new ArrayList<>();
    List<String> dirs = new ArrayList<>(List.of("bin", "etc", "lib", "lib/x86_64-linux-gnu", "lib64", "sbin", "usr", "usr/bin",
        "usr/lib", "usr/share", "usr/share/doc", "usr/share/doc/gcc-12-base", "usr/share/zoneinfo", "usr/share/zoneinfo/Europe",
        "var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status.d", "tmp"));
    for (Pkg p : packages) {
      for (String f : p.files().keySet()) {
        for (int i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) {
          if (!dirs.contains(f.substring(0, i))) {
            dirs.add(f.substring(0, i));
          }
        }
      }
    }
    for (String d : dirs) {
      es.add(Entry.dir(d, 0755));
    }
    es.add(Entry.symlink("etc/os-release", "../usr/lib/os-release"));
    for (Pkg p : packages) {
      StringBuilder control = new StringBuilder("Package: ").append(p.name()).append('\n');
      if (p.source() != null) {
        control.append("Source: ").append(p.source()).append('\n');
      }
      control.append("Version: ").append(p.version()).append("\nArchitecture: ").append(p.arch())
          .append("\nMaintainer: Test <t@example.invalid>\nDescription: ").append(p.name()).append(" for tests\n");
      StringBuilder md5sums = new StringBuilder();
      for (Map.Entry<String, String> f : p.files().entrySet()) {
        es.add(Entry.file(f.getKey(), f.getKey().contains(".so") ? 0755 : 0644, f.getValue()));
        md5sums.append(md5(f.getValue())).append("  ").append(f.getKey()).append('\n');
      }
      es.add(Entry.file("var/lib/dpkg/status.d/" + p.name(), 0644, control.toString()));
      es.add(Entry.file("var/lib/dpkg/status.d/" + p.name() + ".md5sums", 0644, md5sums.toString()));
    }
    for (Map.Entry<String, String> f : UNOWNED.entrySet()) {
      es.add(Entry.file(f.getKey(), 0644, f.getValue()));
    }
    return TestImages.tar(es);
  }

  private static Map<String, String> files(String... pathsAndContents) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pathsAndContents.length; i += 2) {
      m.put(pathsAndContents[i], pathsAndContents[i + 1]);
    }
    return m;
  }

  /** MD5 computed here with the JDK, independently of the code under test. */
  static String md5(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
