package dev.bitproof.attest;

import dev.bitproof.attest.intoto.Predicates;
import dev.bitproof.attest.intoto.VerificationReport;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.OciLayout;
import dev.bitproof.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** Test fixtures: the report of testdata/attest made about a given image, and small real OCI images. */
public final class Fixtures {
  public static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final String ZERO = "sha256:" + "0".repeat(64);

  private Fixtures() {}

  /** The report fixture's bytes, about {@code image} named {@code reference}. */
  public static byte[] reportBytes(String reference, Digest image) throws IOException {
    String s = Files.readString(SharedData.testdata("attest/report-pass.json"), StandardCharsets.UTF_8)
        .replace(ZERO, image.toString())
        .replace("docker://localhost:5000/bitproof/golden:latest", reference);
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static VerificationReport report(String reference, Digest image) throws IOException {
    return VerificationReport.parse(reportBytes(reference, image), "report.json");
  }

  public static Predicates.Context context() {
    return new Predicates.Context(Predicates.DEFAULT_VERIFIER_ID, "0.1.0-test", NOW, Predicates.DEFAULT_POLICY_URI,
        Optional.of(Digest.sha256("policy".getBytes(StandardCharsets.UTF_8))), Optional.empty());
  }

  /**
   * Writes a one-layer OCI image (uncompressed tar layer holding one file) into {@code dir} under {@code tag}; returns
   * its manifest descriptor. {@code salt} changes the file so two images differ.
   */
  public static Descriptor writeImage(Path dir, String tag, String salt) throws IOException {
    byte[] layer = tar("hello.txt", ("hello " + salt + "\n").getBytes(StandardCharsets.UTF_8));
    Digest layerDigest = Digest.sha256(layer);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + MediaType.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length
        + "},\"layers\":[{\"mediaType\":\"" + MediaType.OCI_LAYER + "\",\"digest\":\"" + layerDigest + "\",\"size\":"
        + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    try (ImageDestination d = OciLayout.destination(ImageReference.oci(dir.toString(), tag))) {
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_LAYER, layer), new ByteArrayInputStream(layer));
      d.putBlob(Descriptor.ofBytes(MediaType.OCI_CONFIG, config), new ByteArrayInputStream(config));
      RawManifest m = RawManifest.of(manifest, MediaType.OCI_MANIFEST, "test image");
      d.putManifest(m, Optional.of(tag));
      d.commit();
      return m.descriptor();
    }
  }

  /** A one-file ustar archive. */
  static byte[] tar(String name, byte[] content) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", content.length));
    put(h, 136, "00000000000");
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = '0';
    put(h, 257, "ustar");
    put(h, 263, "00");
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    int padded = (content.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded + 1024];
    System.arraycopy(h, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
    return out;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }
}
