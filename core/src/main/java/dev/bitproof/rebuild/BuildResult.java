package dev.bitproof.rebuild;

import dev.bitproof.apko.Arch;
import dev.bitproof.apko.ImageConfiguration;
import dev.bitproof.apko.LockFile;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.RawManifest;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.report.Finding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rebuilt image: the index and, per arch, the uncompressed layer tars with their diff_ids, the published
 * (compressed) layer blobs, config, manifest, and the packages that went in. Everything is bytes plus digests,
 * so a comparison can say "same content, different compression" (diff_id equal, layer digest not).
 *
 * @param steps wall time per named step, in milliseconds, summed over arches
 * @param notes things the build did that may explain a difference (unsupported features, reused layers)
 * @param rules the apko release rules it was built with
 */
public record BuildResult(RawManifest index, List<ArchImage> images, LockFile lock, Map<String, Long> steps,
    List<String> notes, ApkoRules rules) {

  public BuildResult {
    images = List.copyOf(images);
    steps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(steps));
    notes = List.copyOf(notes);
  }

  /**
   * One layer: the blob published for it (on the heap when small, else in a temp file) and its tar's digest
   * (diff_id) and size. The tar itself is not kept (it was streamed through its digest into the compressor);
   * {@link #tar()} decompresses the blob again.
   */
  public record Layer(Digest diffId, long tarSize, LayerBlob data, Descriptor descriptor, String compressor) {
    public Layer(byte[] tar, Digest diffId, byte[] blob, Descriptor descriptor, String compressor) {
      this(diffId, tar.length, LayerBlob.of(blob), descriptor, compressor);
    }

    /** The blob's bytes in one array (small layers, tests); {@code data().open()} streams them. */
    public byte[] blob() {
      return data.bytes();
    }

    /** The layer tar, decompressed from the blob (every layer a build keeps is gzip). */
    public byte[] tar() {
      try (InputStream raw = data.open(); java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(raw, 65536)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("layer " + descriptor.digest() + " does not decompress", e);
      }
    }
  }

  /**
   * A package that was installed, as the installed DB and lock name it, with what was checked when it was fetched
   * (its signature and datahash findings, {@link PackageContent#findings()}).
   */
  public record InstalledPackage(String name, String version, String arch, String checksum, String url,
      List<Finding> findings) {
    public InstalledPackage {
      findings = findings == null ? List.of() : List.copyOf(findings);
    }
  }

  /** One architecture's image. */
  public record ArchImage(Arch arch, List<Layer> layers, byte[] config, Descriptor configDescriptor,
      RawManifest manifest, Descriptor manifestDescriptor, List<InstalledPackage> packages, long buildDate,
      ImageConfiguration lockedConfig, byte[] installedDb, Map<String, String> baseAnnotations) {
    public ArchImage {
      layers = List.copyOf(layers);
      packages = List.copyOf(packages);
      baseAnnotations = baseAnnotations == null ? Map.of() : Map.copyOf(baseAnnotations);
    }

    public List<Digest> diffIds() {
      return layers.stream().map(Layer::diffId).toList();
    }
  }

  public Optional<ArchImage> image(Arch arch) {
    return images.stream().filter(i -> i.arch() == arch).findFirst();
  }

  /** Writes blobs, then manifests, then the index as the root; commits. */
  public void writeTo(ImageDestination dest, Optional<String> tag) throws IOException {
    for (ArchImage img : images) {
      for (Layer l : img.layers()) {
        if (!dest.hasBlob(l.descriptor().digest())) {
          try (InputStream in = l.data().open()) {
            dest.putBlob(l.descriptor(), in);
          }
        }
      }
      dest.putBlob(img.configDescriptor(), new ByteArrayInputStream(img.config()));
      dest.putManifest(img.manifest(), Optional.empty());
    }
    dest.putManifest(index, tag);
    dest.commit();
  }
}
