package dev.bitproof.testing;

import dev.bitproof.apk.ApkPackage;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.rebuild.BuildRequest;
import dev.bitproof.rebuild.BuildResult;
import dev.bitproof.rebuild.Rebuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An apko-style image the tests build, the fixture twin of apko's golden image for SBOM checks: a signed x86_64 +
 * aarch64 repository of two packages that, as melange's do, each ship their own SPDX document in
 * {@code var/lib/db/sbom/<name>-<version>.spdx.json} ({@code fixture-baselayout} with etc/os-release,
 * {@code fixture-hello} with usr/bin/hello, depending on it), an {@code apko.yaml} and lock file over it, and the
 * image our own build made from them, written as an OCI layout ({@code published/}, index.json = image index).
 */
public final class TestApkoImage {
  public static final List<String> ARCHS = List.of("x86_64", "aarch64");
  public static final Map<String, String> ANNOTATIONS = Map.of("org.opencontainers.image.title", "Title",
      "org.opencontainers.image.vendor", "Vendor");

  /** Where everything is: {@code config}, {@code lock}, {@code published} (the layout), {@code repo}, {@code keys}. */
  public record Built(Path dir, Path config, Path lock, Path published, BuildResult result) {
    public ImageReference reference() {
      return ImageReference.parse("oci:" + published);
    }
  }

  private TestApkoImage() {}

  /** A melange-style SPDX document for one package (as melange writes it into the package). */
  public static String melangeSbom(String name, String version, String arch) {
    String id = "SPDXRef-Package-apk-" + name + "-" + version;
    return """
        {
          "SPDXID": "SPDXRef-DOCUMENT",
          "name": "apk-%1$s-%2$s",
          "spdxVersion": "SPDX-2.3",
          "creationInfo": {
            "created": "1970-01-01T00:00:00Z",
            "creators": ["Tool: melange (bitproof test fixture)", "Organization: bitproof"],
            "licenseListVersion": "3.22"
          },
          "dataLicense": "CC0-1.0",
          "documentNamespace": "https://spdx.org/spdxdocs/bitproof/fixture/%1$s-%2$s",
          "documentDescribes": ["%4$s"],
          "packages": [
            {
              "SPDXID": "%4$s",
              "name": "%1$s",
              "versionInfo": "%2$s",
              "filesAnalyzed": false,
              "licenseConcluded": "NOASSERTION",
              "licenseDeclared": "MIT",
              "downloadLocation": "NOASSERTION",
              "originator": "Organization: bitproof",
              "supplier": "Organization: bitproof",
              "copyrightText": "NOASSERTION",
              "primaryPackagePurpose": "APPLICATION",
              "externalRefs": [
                {
                  "referenceCategory": "PACKAGE-MANAGER",
                  "referenceLocator": "pkg:apk/bitproof-fixture/%1$s@%2$s?arch=%3$s",
                  "referenceType": "purl"
                }
              ]
            }
          ],
          "relationships": []
        }
        """.formatted(name, version, arch, id);
  }

  /** Builds the repository, config, lock and published image under {@code dir}. */
  public static Built build(Path dir) throws IOException {
    ApkFixtures.TestKey key = ApkFixtures.key("bitproof-fixture.rsa.pub");
    key.writePublic(dir.resolve("keys"));
    for (String arch : ARCHS) {
      Path archDir = dir.resolve("repo").resolve(arch);
      StringBuilder index = new StringBuilder();
      for (ApkFixtures.Apk a : List.of(
          pkg("fixture-baselayout", arch, key).entry(ApkFixtures.Entry.dir("etc"))
              .file("etc/os-release", "ID=bitproof-fixture\nNAME=\"bitproof fixture\"\nVERSION_ID=1.0\n"),
          pkg("fixture-hello", arch, key).depend("fixture-baselayout").entry(ApkFixtures.Entry.dir("usr"))
              .entry(ApkFixtures.Entry.dir("usr/bin")).file("usr/bin/hello", "#!/bin/sh\necho hello " + arch + "\n"))) {
        Path p = a.write(archDir);
        byte[] bytes = Files.readAllBytes(p);
        index.append(ApkFixtures.stanza(bytes, ApkPackage.read(bytes, p.toString())));
      }
      Files.write(archDir.resolve("APKINDEX.tar.gz"), ApkFixtures.index(index.toString(), key, "RSA256"));
    }
    Path config = Files.writeString(dir.resolve("apko.yaml"), """
        contents:
          keyring:
            - ./keys/bitproof-fixture.rsa.pub
          repositories:
            - ./repo
          packages:
            - fixture-hello

        entrypoint:
          command: /usr/bin/hello

        archs:
          - x86_64
          - aarch64
        """);
    BuildRequest req = BuildRequest.of(config, dir).withAnnotations(ANNOTATIONS);
    Path lock = dir.resolve("apko.lock.json");
    Files.write(lock, Rebuild.lock(req).toBytes());
    BuildResult r = Rebuild.run(req.withLockFile(lock));
    Path published = dir.resolve("published");
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(published.toString(), null))) {
      r.writeTo(d, Optional.empty());
    }
    return new Built(dir, config, lock, published, r);
  }

  private static ApkFixtures.Apk pkg(String name, String arch, ApkFixtures.TestKey key) {
    String version = "1.0.0-r0";
    return new ApkFixtures.Apk(name, version, arch).set("origin", name).set("builddate", "1700000000").signedBy(key)
        .entry(ApkFixtures.Entry.dir("var")).entry(ApkFixtures.Entry.dir("var/lib")).entry(ApkFixtures.Entry.dir("var/lib/db"))
        .entry(ApkFixtures.Entry.dir("var/lib/db/sbom"))
        .file("var/lib/db/sbom/" + name + "-" + version + ".spdx.json", melangeSbom(name, version, arch));
  }
}
