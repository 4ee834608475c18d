package dev.bitproof.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bitproof.oci.ImageReference.Transport;
import dev.bitproof.report.CheckException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void parsesEveryTransport() {
    ImageReference oci = ImageReference.parse("oci:some/dir:v1");
    assertEquals(Transport.OCI, oci.transport());
    assertEquals("some/dir", oci.path());
    assertEquals(Optional.of("v1"), oci.tag());

    ImageReference ociNoTag = ImageReference.parse("oci:../shared/data/golden");
    assertEquals("../shared/data/golden", ociNoTag.path());
    assertEquals(Optional.empty(), ociNoTag.tag());

    ImageReference da = ImageReference.parse("docker-archive:img.tar:foo/bar:1");
    assertEquals(Transport.DOCKER_ARCHIVE, da.transport());
    assertEquals("img.tar", da.path());
    assertEquals(Optional.of("foo/bar:1"), da.tag());

    ImageReference d = ImageReference.parse("docker://127.0.0.1:5000/bitproof/golden:latest");
    assertEquals("127.0.0.1:5000", d.registry());
    assertEquals("bitproof/golden", d.repository());
    assertEquals(Optional.of("latest"), d.tag());

    ImageReference bare = ImageReference.parse("alpine");
    assertEquals(ImageReference.DOCKER_HUB, bare.registry());
    assertEquals("library/alpine", bare.repository());

    String dig = "sha256:b5f05e6fc882c97d61c1daee566954ae6fc09924f8e152293e2b97a06092069f";
    ImageReference byDigest = ImageReference.parse("localhost:5000/x/y@" + dig);
    assertEquals("localhost:5000", byDigest.registry());
    assertEquals(Optional.of(Digest.parse(dig)), byDigest.digest());
    assertEquals("docker://localhost:5000/x/y@" + dig, byDigest.toString());
  }

  @Test
  void rejectsBadReferences() {
    assertEquals(OciCode.REFERENCE_INVALID, assertThrows(CheckException.class, () -> ImageReference.parse("docker://Host/UPPER")).code());
    assertEquals(OciCode.REFERENCE_INVALID, assertThrows(CheckException.class, () -> ImageReference.parse("oci:")).code());
    assertEquals(OciCode.TRANSPORT_UNKNOWN, assertThrows(CheckException.class, () -> ImageReference.parse("ftp:x/y")).code());
  }

  @Test
  void anUnknownTransportIsRefusedAtOnceButAPlausibleNameTagIsDocker() {
    for (String bad : new String[] {"OCI:/tmp/x", "Docker:x", "foo:/bar", "foo:bar/baz", "oci-layout:dir/x", "Foo:bar"}) {
      CheckException e = assertThrows(CheckException.class, () -> ImageReference.parse(bad), bad);
      assertEquals(OciCode.TRANSPORT_UNKNOWN, e.code(), bad);
      assertEquals(CheckException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().contains(ImageReference.TRANSPORTS), e.getMessage());
    }
    // as docker would read them: name:tag on Docker Hub, host:port/repo
    assertEquals("registry-1.docker.io", ImageReference.parse("foo:bar").registry());
    assertEquals("localhost:5000", ImageReference.parse("localhost:5000/x").registry());
  }
}
