package dev.bitproof.rebuild;

import dev.bitproof.apk.ApkPackage;
import dev.bitproof.testing.ApkFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A signed x86_64 repository of fixture packages in a temp dir, and an apko.yaml pointing at it (absolute paths,
 * so the build's working directory does not matter).
 */
final class TestRepo {
  final Path dir;
  final ApkFixtures.TestKey key;
  final Path keyFile;
  final Path repo;

  TestRepo(Path dir) throws IOException {
    this.dir = dir;
    this.key = ApkFixtures.key("bitproof-test.rsa.pub");
    this.keyFile = key.writePublic(dir.resolve("keys"));
    this.repo = dir.resolve("repo");
  }

  /** Writes the packages (signed by the repo key unless already signed) and a signed APKINDEX. */
  TestRepo packages(ApkFixtures.Apk... apks) throws IOException {
    StringBuilder index = new StringBuilder();
    Path archDir = repo.resolve("x86_64");
    Files.createDirectories(archDir);
    for (ApkFixtures.Apk a : apks) {
      Path p = a.write(archDir);
      byte[] bytes = Files.readAllBytes(p);
      index.append(ApkFixtures.stanza(bytes, ApkPackage.read(bytes, p.toString())));
    }
    Files.write(archDir.resolve("APKINDEX.tar.gz"), ApkFixtures.index(index.toString(), key, "RSA256"));
    return this;
  }

  private final StringBuilder pendingIndex = new StringBuilder();

  /** Writes packages now and keeps their index stanzas for {@link #finishIndex} (the bench generator's batches). */
  TestRepo packagesAppend(List<ApkFixtures.Apk> apks) throws IOException {
    return packagesAppend("x86_64", apks);
  }

  /** {@link #packagesAppend(List)} into {@code arch}'s directory (one arch at a time until {@link #finishIndex}). */
  TestRepo packagesAppend(String arch, List<ApkFixtures.Apk> apks) throws IOException {
    Path archDir = repo.resolve(arch);
    Files.createDirectories(archDir);
    for (ApkFixtures.Apk a : apks) {
      Path p = a.write(archDir);
      byte[] bytes = Files.readAllBytes(p);
      pendingIndex.append(ApkFixtures.stanza(bytes, ApkPackage.read(bytes, p.toString())));
    }
    return this;
  }

  /** Signs and writes the APKINDEX of everything {@link #packagesAppend} wrote. */
  TestRepo finishIndex() throws IOException {
    return finishIndex("x86_64");
  }

  /** Signs and writes {@code arch}'s APKINDEX of everything appended since the last one. */
  TestRepo finishIndex(String arch) throws IOException {
    Files.write(repo.resolve(arch).resolve("APKINDEX.tar.gz"), ApkFixtures.index(pendingIndex.toString(), key, "RSA256"));
    pendingIndex.setLength(0);
    return this;
  }

  ApkFixtures.Apk apk(String name, String origin) {
    return apk(name, origin, "x86_64");
  }

  ApkFixtures.Apk apk(String name, String origin, String arch) {
    return new ApkFixtures.Apk(name, "1.0.0-r0", arch).set("origin", origin).signedBy(key);
  }

  /** An apko.yaml with this repo and key, the packages, and extra YAML appended. */
  Path config(String extraYaml, String... packages) throws IOException {
    return config(List.of("x86_64"), extraYaml, packages);
  }

  /** {@link #config(String, String...)} for these archs. */
  Path config(List<String> archs, String extraYaml, String... packages) throws IOException {
    StringBuilder y = new StringBuilder("contents:\n  keyring:\n    - ").append(keyFile).append("\n  repositories:\n    - ")
        .append(repo).append("\n  packages:\n");
    for (String p : packages) {
      y.append("    - ").append(p).append('\n');
    }
    y.append("archs: [").append(String.join(", ", archs)).append("]\n").append(extraYaml);
    Path c = dir.resolve("apko.yaml");
    Files.writeString(c, y.toString());
    return c;
  }

  BuildRequest request(Path config) {
    return BuildRequest.of(config, dir).withSourceDateEpoch(0);
  }
}
