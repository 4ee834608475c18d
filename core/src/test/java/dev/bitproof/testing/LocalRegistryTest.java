package dev.bitproof.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: each registry variant answers, wants what it should, and a real peer (skopeo) can use it. */
class LocalRegistryTest {
  static final String AMD64_MANIFEST = "sha256:69f0237c7f8cf0b8a329d1bf1d6870c870c4ec323e39d3a6da59596632d0f2f4";

  @Test
  void plainRegistryTakesAnImageFromSkopeoUnchanged(@TempDir Path tmp) throws Exception {
    Path golden = LocalRegistry.indexAsTaggedLayout(SharedData.apkoTestdata().resolve("golden"), "v1", tmp);
    String skopeo = LocalRegistry.skopeo().toString();
    String ref = "docker://" + LocalRegistry.plain() + "/" + LocalRegistry.uniqueRepository("harness") + ":v1";
    LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false",
        "oci:" + golden + ":v1", ref));
    String raw = LocalRegistry.exec(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", ref));
    // skopeo 1.9 re-serializes an index (drops artifactType), but keeps the image manifests byte for byte
    assertTrue(raw.contains(AMD64_MANIFEST), raw);
  }

  @Test
  void basicTlsRegistryWantsCredentials(@TempDir Path tmp) throws Exception {
    Path golden = LocalRegistry.indexAsTaggedLayout(SharedData.apkoTestdata().resolve("golden"), "v1", tmp);
    String skopeo = LocalRegistry.skopeo().toString();
    LocalRegistry.Endpoint ep = LocalRegistry.basicTls();
    assertTrue(ep.tls());
    String ref = ep.ref(LocalRegistry.uniqueRepository("harness-basic"), "v1");
    assertThrows(IOException.class, () -> LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false",
        "oci:" + golden + ":v1", ref)));
    LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false",
        "--dest-creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, "oci:" + golden + ":v1", ref));
  }

  @Test
  void tokenRegistryGivesAnonymousPullOnly(@TempDir Path tmp) throws Exception {
    Path golden = LocalRegistry.indexAsTaggedLayout(SharedData.apkoTestdata().resolve("golden"), "v1", tmp);
    String skopeo = LocalRegistry.skopeo().toString();
    LocalRegistry.Endpoint ep = LocalRegistry.token();
    String ref = ep.ref(LocalRegistry.uniqueRepository("harness-token"), "v1");
    assertThrows(IOException.class, () -> LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false",
        "oci:" + golden + ":v1", ref)));
    LocalRegistry.exec(List.of(skopeo, "copy", "--all", "--dest-tls-verify=false",
        "--dest-creds", LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD, "oci:" + golden + ":v1", ref));
    String raw = LocalRegistry.exec(List.of(skopeo, "inspect", "--raw", "--tls-verify=false", ref));
    // skopeo 1.9 re-serializes an index (drops artifactType), but keeps the image manifests byte for byte
    assertTrue(raw.contains(AMD64_MANIFEST), raw);
  }
}
