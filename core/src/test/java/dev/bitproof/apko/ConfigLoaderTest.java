package dev.bitproof.apko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.gocompat.GoJson;
import dev.bitproof.report.CheckException;
import dev.bitproof.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  static ImageConfiguration parse(String yaml) {
    return ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test.yaml");
  }

  static CheckException fails(String yaml) {
    return assertThrows(CheckException.class, () -> parse(yaml));
  }

  @Test
  void goldenConfigAndItsChecksum() throws IOException {
    Path cli = SharedData.require("apk/apko/internal/cli");
    ConfigLoader.Loaded l = ConfigLoader.load(cli.resolve("testdata/apko.yaml"), cli);
    assertEquals("sha256-eal7+HCFuOLz/8m3vNO5cYyNK0Zw7AphCcsc76TbTXg=", l.checksum(), "apko's lock records this");
    assertEquals(List.of("replayout"), l.config().contents().packages());
    assertEquals(List.of("./testdata/packages"), l.config().contents().repositories());
    assertEquals("/bin/sh -l", l.config().entrypoint().command());
    assertEquals(List.of("x86_64", "aarch64"), l.config().archs());
  }

  @Test
  void unknownKeyNamesKeyAndLine() {
    CheckException e = fails("contents:\n  packages: [a]\n  repositoriez:\n    - x\n");
    assertEquals(ApkoCode.APKO_CONFIG_UNKNOWN_KEY, e.code());
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("repositoriez"), e.getMessage());
    assertEquals(ApkoCode.APKO_CONFIG_UNKNOWN_KEY, fails("os-release:\n  name: x\n").code(), "removed in 2024-07");
    assertEquals(ApkoCode.APKO_CONFIG_UNKNOWN_KEY, fails("accounts:\n  users:\n    - username: a\n      home: /x\n").code());
  }

  @Test
  void tagsAreNeverEvaluated() {
    assertEquals(ApkoCode.APKO_CONFIG_TAG_REFUSED, fails("cmd: !!python/object:os.system echo\n").code());
    assertEquals(ApkoCode.APKO_CONFIG_TAG_REFUSED, fails("cmd: !custom x\n").code());
    assertEquals(ApkoCode.APKO_CONFIG_TAG_REFUSED, fails("contents: !!set {a, b}\n").code());
  }

  @Test
  void aliasBombIsRefused() {
    StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      y.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
    }
    y.append("archs: *j\n");
    CheckException e = fails(y.toString());
    assertTrue(e.code().equals(ApkoCode.APKO_CONFIG_YAML_INVALID) || e.code().equals(ApkoCode.APKO_CONFIG_TOO_LARGE), e.toString());
  }

  @Test
  void duplicateKeysAndWrongTypesAreErrors() {
    assertEquals(ApkoCode.APKO_CONFIG_DUPLICATE_KEY, fails("cmd: a\ncmd: b\n").code());
    CheckException e = fails("contents:\n  packages: notalist\n");
    assertEquals(ApkoCode.APKO_CONFIG_TYPE, e.code());
    assertEquals(ApkoCode.APKO_CONFIG_TYPE, fails("paths:\n  - path: /x\n    uid: abc\n").code());
    assertEquals(ApkoCode.APKO_CONFIG_TYPE, fails("- a\n- b\n").code(), "top level must be a mapping");
  }

  @Test
  void goYamlIntegersIncludingOctal() {
    ImageConfiguration c = parse("paths:\n  - path: /a\n    type: directory\n    permissions: 0o755\n"
        + "  - path: /b\n    type: directory\n    permissions: 0755\n    uid: 0x10\n");
    assertEquals(0755, c.paths().get(0).permissions());
    assertEquals(0755, c.paths().get(1).permissions(), "yaml.v3 still reads 1.1-style octal");
    assertEquals(16L, c.paths().get(1).uid());
    assertNull(c.paths().get(0).uid(), "absent uid stays absent (ownership untouched)");
  }

  @Test
  void emptyLayeringIsPresentButEmpty() {
    assertNotNull(parse("layering: {}\n").layering());
    assertNull(parse("cmd: x\n").layering());
    assertEquals(2, parse("layering:\n  strategy: origin\n  budget: 2\n").layering().budget());
  }

  @Test
  void apkoJsonFieldOrderAndEscaping() {
    ImageConfiguration c = parse("annotations:\n  b: \"<&>\"\n  a: x\ncontents:\n  keyring: [k]\n  repositories: [r]\n"
        + "  packages: [p]\naccounts:\n  run-as: '65532'\n");
    assertEquals("{\"contents\":{\"repositories\":[\"r\"],\"keyring\":[\"k\"],\"packages\":[\"p\"]},\"entrypoint\":{},"
        + "\"accounts\":{\"run-as\":\"65532\"},\"annotations\":{\"a\":\"x\",\"b\":\"\\u003c\\u0026\\u003e\"}}",
        new String(GoJson.marshal(c.toGoJson()), StandardCharsets.UTF_8));
  }

  @Test
  void includeMergesAndLoopsAreRefused(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("base.yaml"), "contents:\n  repositories: [r1]\n  packages: [a]\ncmd: base\n");
    Files.writeString(dir.resolve("top.yaml"), "include: base.yaml\ncontents:\n  packages: [b]\nentrypoint:\n  command: x\n");
    ImageConfiguration c = ConfigLoader.load(dir.resolve("top.yaml"), dir).config();
    assertEquals(List.of("a", "b"), c.contents().packages());
    assertEquals(List.of("r1"), c.contents().repositories());
    assertEquals("base", c.cmd());
    assertEquals("x", c.entrypoint().command());
    assertEquals("base.yaml", c.include(), "kept, as apko's merged configuration keeps it");

    Files.writeString(dir.resolve("a.yaml"), "include: b.yaml\n");
    Files.writeString(dir.resolve("b.yaml"), "include: a.yaml\n");
    CheckException e = assertThrows(CheckException.class, () -> ConfigLoader.load(dir.resolve("a.yaml"), dir));
    assertEquals(ApkoCode.APKO_CONFIG_INCLUDE_LOOP, e.code());
    assertTrue(e.getMessage().contains("a.yaml") && e.getMessage().contains("b.yaml"), e.getMessage());
    assertEquals(ApkoCode.APKO_CONFIG_NOT_FOUND, assertThrows(CheckException.class,
        () -> ConfigLoader.load(dir.resolve("missing.yaml"), dir)).code());
  }

  /**
   * The features the upstream nginx example and the types overlay configs use, on configs written here: a
   * service-bundle entrypoint, a hardlink path with octal permissions, and a two-level include whose paths are
   * relative to the base directory (not to the including file), merging packages and build/runtime repositories.
   */
  @Test
  void serviceBundleHardlinkAndNestedIncludes(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("testdata/overlay"));
    Files.writeString(dir.resolve("testdata/overlay/base.apko.yaml"), "contents:\n  build_repositories:\n    - \"secret repository\"\n"
        + "  runtime_repositories:\n    - \"runtime repository\"\n  repositories:\n    - \"repository\"\n  keyring:\n    - \"key\"\n"
        + "  packages:\n    - \"package\"\n");
    Files.writeString(dir.resolve("testdata/overlay/overlay.apko.yaml"), "include: testdata/overlay/base.apko.yaml");
    Files.writeString(dir.resolve("testdata/overlay/top.apko.yaml"), "include: testdata/overlay/overlay.apko.yaml\n\ncontents:\n"
        + "  build_repositories:\n    - \"other_secret repository\"\n  runtime_repositories:\n    - \"other runtime repository\"\n"
        + "  packages:\n    - \"other_package\"\n");
    ImageConfiguration top = ConfigLoader.load(dir.resolve("testdata/overlay/top.apko.yaml"), dir).config();
    assertEquals(List.of("package", "other_package"), top.contents().packages());
    assertEquals(List.of("secret repository", "other_secret repository"), top.contents().buildRepositories());
    assertEquals(List.of("runtime repository", "other runtime repository"), top.contents().runtimeRepositories());
    assertEquals(List.of("repository"), top.contents().repositories());
    assertEquals(List.of("key"), top.contents().keyring());

    Files.writeString(dir.resolve("nginx.yaml"), """
        contents:
          packages: [wolfi-baselayout, nginx]
        entrypoint:
          type: service-bundle
          services:
            nginx: /usr/sbin/nginx -c /etc/nginx/nginx.conf -g "daemon off;"
        paths:
          - path: /run/nginx
            type: directory
            uid: 10000
            gid: 10000
            permissions: 0o755
          - path: /etc/nginx/http.d/default.conf
            type: hardlink
            source: /etc/nginx/nginx.conf.default
            permissions: 0o644
        work-dir: /usr/share/nginx
        """);
    ConfigLoader.Loaded l = ConfigLoader.load(dir.resolve("nginx.yaml"), dir);
    assertEquals("sha256-" + java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(dir.resolve("nginx.yaml")))), l.checksum(), "the file's bytes, as apko's lock records");
    ImageConfiguration c = l.config();
    assertEquals("service-bundle", c.entrypoint().type());
    assertEquals("/usr/sbin/nginx -c /etc/nginx/nginx.conf -g \"daemon off;\"", c.entrypoint().services().get("nginx"));
    assertEquals(0755, c.paths().get(0).permissions());
    assertEquals(10000L, c.paths().get(0).uid());
    assertEquals("hardlink", c.paths().get(1).type());
    assertEquals("/etc/nginx/nginx.conf.default", c.paths().get(1).source());
    assertEquals(0644, c.paths().get(1).permissions());
    assertEquals("/usr/share/nginx", c.workDir());
  }

  static Stream<Path> upstreamConfigs() throws IOException {
    return SharedData.files("apk/apko", Integer.MAX_VALUE,
        p -> p.toString().endsWith(".yaml") && !p.toString().contains("melange"));
  }

  /** Every apko.yaml upstream ships (examples and test configs) is accepted by the strict loader. */
  // without ../shared the source is one placeholder, and the test skips through SharedData.require
  @ParameterizedTest
  @MethodSource("upstreamConfigs")
  void everyUpstreamConfigParses(Path p) throws IOException {
    Path apko = SharedData.require("apk/apko");
    ConfigLoader.Loaded l = ConfigLoader.load(p, p.toString().contains("/types/") ? apko.resolve("pkg/build/types") : apko);
    assertTrue(l.checksum().startsWith("sha256-"));
    if (p.endsWith("nginx.yaml")) {
      assertEquals(0755, l.config().paths().get(0).permissions());
      assertEquals("hardlink", l.config().paths().get(1).type());
      assertEquals("/usr/sbin/nginx -c /etc/nginx/nginx.conf -g \"daemon off;\"", l.config().entrypoint().services().get("nginx"));
    }
    if (p.endsWith("overlay_with_package.apko.yaml")) {
      assertEquals(List.of("package", "other_package"), l.config().contents().packages());
      assertEquals(List.of("secret repository", "other_secret repository"), l.config().contents().buildRepositories());
    }
  }
}
