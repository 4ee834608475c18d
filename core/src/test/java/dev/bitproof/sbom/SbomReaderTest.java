package dev.bitproof.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.report.CheckException;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.testing.TestApkoImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Format detection and hostile SBOMs. */
class SbomReaderTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static CheckException fails(byte[] bytes) {
    return assertThrows(CheckException.class, () -> SbomReader.read(bytes, "hostile"));
  }

  @TempDir
  static Path fixtureDir;
  static TestApkoImage.Built fixture;
  static byte[] fixtureSpdx;

  /** The x86_64 SPDX document in apko's form of the apko-style image the tests build. */
  @BeforeAll
  static void buildFixture() throws Exception {
    fixture = TestApkoImage.build(fixtureDir);
    try (ImageSource src = Transports.source(fixture.reference(), TransportOptions.defaults())) {
      Images.Tree tree = Images.walk(src);
      fixtureSpdx = ApkoSpdx.render(SbomGenerator.apkoSpdx(LoadedImage.load(src, tree, tree.images().get(0)),
          new ApkoSpdx.Options("Tool: apko (devel)", "fixture:latest")));
    }
  }

  @Test
  void detectsEveryFormatFromContent() throws Exception {
    SbomDocument spdx = SbomReader.read(fixtureSpdx, "g");
    assertEquals(SbomFormat.SPDX_JSON, spdx.format());
    assertEquals("SPDX-2.3", spdx.specVersion());
    assertTrue(spdx.fromApko());
    assertEquals(List.of(fixture.result().images().get(0).manifest().digest().toString()),
        spdx.describes().stream().map(Object::toString).toList(), "describes the amd64 image's manifest");
    assertEquals(List.of("fixture-baselayout", "fixture-hello"), spdx.osPackages().stream().map(c -> c.purl().orElseThrow().name())
        .sorted().toList());

    SbomDocument cdx = SbomReader.read(b("""
        {"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
         "metadata":{"component":{"type":"container","name":"x","purl":"pkg:oci/x@sha256%3A69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4"}},
         "components":[{"type":"library","name":"busybox","version":"1.36.1-r0","bom-ref":"a",
           "purl":"pkg:apk/wolfi/busybox@1.36.1-r0?arch=x86_64",
           "components":[{"type":"file","name":"bin/busybox","bom-ref":"f","hashes":[{"alg":"SHA-256","content":"AB"}]}]}]}"""), "c");
    assertEquals(SbomFormat.CYCLONEDX_JSON, cdx.format());
    assertEquals(1, cdx.osPackages().size());
    assertEquals("bin/busybox", cdx.files().get(0).path());
    assertEquals("ab", cdx.files().get(0).hashes().get("SHA-256"));
    assertEquals("sha256:69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4", cdx.describes().get(0).toString());

    SbomDocument xml = SbomReader.read(b("""
        <?xml version="1.0" encoding="UTF-8"?>
        <bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
          <components>
            <component type="library" bom-ref="a"><name>busybox</name><version>1.36.1-r0</version>
              <purl>pkg:apk/wolfi/busybox@1.36.1-r0?arch=x86_64</purl></component>
          </components>
        </bom>"""), "x");
    assertEquals(SbomFormat.CYCLONEDX_XML, xml.format());
    assertEquals("busybox", xml.osPackages().get(0).purl().orElseThrow().name());
  }

  @Test
  void unwrapsInTotoStatementsAndDsseEnvelopes() throws Exception {
    String spdx = new String(fixtureSpdx, StandardCharsets.UTF_8);
    String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
        + "\"predicateType\":\"https://spdx.dev/Document\",\"predicate\":" + spdx + "}";
    assertEquals(2, SbomReader.read(b(statement), "s").osPackages().size());
    String dsse = "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\""
        + Base64.getEncoder().encodeToString(b(statement)) + "\",\"signatures\":[]}";
    assertEquals(2, SbomReader.read(b(dsse), "d").osPackages().size());
    CheckException e = fails(b("{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}"));
    assertEquals(SbomCode.SBOM_FORMAT_UNKNOWN, e.code());
  }

  /** A bit flipped in the image purl's digest so that it is no longer hex: a finding, not a document with no subject. */
  @Test
  void aContainerPurlWithABrokenDigestIsAFinding() throws Exception {
    String good = new String(fixtureSpdx, StandardCharsets.UTF_8);
    String digest = fixture.result().images().get(0).manifest().digest().hex();
    String broken = good.replace("@sha256:" + digest, "@sha256:" + digest.substring(0, 3) + "g" + digest.substring(4));
    assertTrue(!broken.equals(good), "the image purl names the manifest digest");
    SbomDocument doc = SbomReader.read(broken.getBytes(StandardCharsets.UTF_8), "broken");
    assertEquals(List.of(SbomCode.SBOM_PURL_INVALID), doc.integrity().stream().map(dev.bitproof.report.Finding::code).toList(),
        doc.integrity().toString());
    assertEquals(List.of(), SbomReader.read(fixtureSpdx, "good").integrity());
  }

  @Test
  void unknownFormatsAreRefused() {
    assertEquals(SbomCode.SBOM_FORMAT_UNKNOWN, fails(b("hello")).code());
    assertEquals(SbomCode.SBOM_FORMAT_UNKNOWN, fails(b("{\"a\":1}")).code());
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b("   ")).code());
    assertEquals(SbomCode.SBOM_FORMAT_UNSUPPORTED, fails(b("{\"spdxVersion\":\"SPDX-3.0\"}")).code());
  }

  @Test
  void hundredThousandComponentsAreReadWithinTheLimitsAndRefusedOverThem() {
    StringBuilder sb = new StringBuilder("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[");
    for (int i = 0; i < 100_000; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"type\":\"library\",\"bom-ref\":\"c").append(i).append("\",\"name\":\"p").append(i)
          .append("\",\"version\":\"1.0-r0\",\"purl\":\"pkg:apk/wolfi/p").append(i).append("@1.0-r0?arch=x86_64\"}");
    }
    byte[] big = b(sb.append("]}").toString());
    SbomDocument doc = SbomReader.read(big, "big");
    assertEquals(100_000, doc.osPackages().size());
    CheckException e = assertThrows(CheckException.class,
        () -> SbomReader.read(big, "big", new SbomReader.Limits(1L << 30, 50_000)));
    assertEquals(SbomCode.SBOM_TOO_MANY_COMPONENTS, e.code());
    // checked against an image, the 100k unknown packages are reported, capped per code
    java.util.List<dev.bitproof.report.Finding> fs = SbomCheck.compare(SbomCheckTest.distrolessOrEmpty(), doc,
        ImageIdentity.none(), "big");
    assertEquals(SbomCheck.MAX_PER_CODE + 1, fs.stream().filter(f -> f.code().equals(SbomCode.SBOM_PACKAGE_NOT_IN_IMAGE)).count());
    assertTrue(fs.stream().anyMatch(f -> f.subject().equals("(99000 more)")), fs.get(fs.size() - 1).toString());
    CheckException size = assertThrows(CheckException.class,
        () -> SbomReader.read(big, "big", new SbomReader.Limits(1024, 50_000)));
    assertEquals(SbomCode.SBOM_TOO_LARGE, size.code());
  }

  @Test
  void deeplyNestedJsonIsAParseErrorNotAStackOverflow() {
    String deep = "{\"bomFormat\":\"CycloneDX\",\"components\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b(deep)).code());
    StringBuilder nested = new StringBuilder("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[");
    for (int i = 0; i < 200; i++) {
      nested.append("{\"type\":\"library\",\"name\":\"n").append(i).append("\",\"components\":[");
    }
    nested.append("]}".repeat(200)).append("]}");
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b(nested.toString())).code());
  }

  @Test
  void duplicateJsonKeysAreAParseError() {
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b("{\"spdxVersion\":\"SPDX-2.3\",\"spdxVersion\":\"SPDX-2.2\"}")).code());
  }

  @Test
  void duplicateSpdxIdsAreRecorded() {
    SbomDocument d = SbomReader.read(b("""
        {"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[
          {"SPDXID":"SPDXRef-A","name":"a"},{"SPDXID":"SPDXRef-A","name":"b"}],
         "files":[{"SPDXID":"SPDXRef-A","fileName":"./x"}]}"""), "d");
    assertEquals(List.of("SPDXRef-A"), d.duplicateRefs());
  }

  @Test
  void xmlExternalEntitiesAreNeverResolved(@TempDir Path tmp) throws Exception {
    Path secret = tmp.resolve("secret.txt");
    Files.writeString(secret, "TOP-SECRET");
    String xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE bom [<!ENTITY xxe SYSTEM "%s">]>
        <bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
          <components><component type="library"><name>&xxe;</name><version>1</version></component></components>
        </bom>""".formatted(secret.toUri());
    CheckException e = fails(b(xxe));
    assertEquals(SbomCode.SBOM_XML_DTD_FORBIDDEN, e.code());
    assertFalse(e.getMessage().contains("TOP-SECRET"));
    // a parameter-entity variant and a billion-laughs variant are refused the same way
    assertEquals(SbomCode.SBOM_XML_DTD_FORBIDDEN, fails(b("<?xml version=\"1.0\"?><!DOCTYPE bom SYSTEM \"" + secret.toUri() + "\"><bom/>")).code());
    // the same document in UTF-16 (which would hide the DOCTYPE from a UTF-8 scan) or declaring another encoding
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(xxe.replace("<?xml version=\"1.0\"?>\n", "").getBytes(StandardCharsets.UTF_16LE)).code());
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b("<?xml version=\"1.0\" encoding=\"UTF-7\"?><bom/>")).code());
    assertEquals(SbomCode.SBOM_XML_DTD_FORBIDDEN, fails(b("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><bom>&lol2;</bom>")).code());
  }

  @Test
  void brokenXmlIsAParseError() {
    assertEquals(SbomCode.SBOM_PARSE_ERROR, fails(b("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"><components>")).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pkg:apk/wolfi/%zz@1", "pkg:apk/wolfi/a%C3%28@1", "pkg:apk/wolfi/a@1%", "pkg:", "notapurl",
      "pkg:apk/wolfi/a@1?arch=x86_64&arch=aarch64", "pkg:apk/wolfi/a@1?=x", "pkg:apk"})
  void badlyEncodedPurlsAreRefused(String s) {
    CheckException e = assertThrows(CheckException.class, () -> Purl.parse(s));
    assertEquals(SbomCode.PURL_INVALID, e.code());
  }

  @Test
  void purlsDecodeAndPrintCanonically() {
    Purl p = Purl.parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?distro=debian-12&arch=amd64");
    assertEquals("2.36-9+deb12u14", p.version());
    assertEquals("debian", p.namespace());
    assertEquals("amd64", p.qualifier("arch").orElseThrow());
    assertEquals("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12", p.toString());
    assertEquals("1:1.2.13.dfsg-1", Purl.parse("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?epoch=1").version());
    assertEquals("sha256:abc", Purl.parse("pkg:oci/golden@sha256%3Aabc?arch=arm64").version());
    Purl melange = Purl.parse("pkg:github/https:/%2Funknown%2Funknown%2Funknown@326e#replayout.melange.yaml");
    assertEquals("https:", melange.namespace());
    assertEquals("/unknown/unknown/unknown", melange.name());
    assertEquals("replayout.melange.yaml", melange.subpath());
  }
}
