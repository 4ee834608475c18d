package dev.bitproof.rebuild;

import dev.bitproof.compress.ApkoGzip;
import dev.bitproof.compress.CompressCode;
import dev.bitproof.compress.FlateVersion;
import dev.bitproof.oci.MediaType;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Turns an uncompressed layer tar into the blob that is published. apko uses pgzip + klauspost deflate level 5:
 * {@link #apko()} ({@code dev.bitproof.compress}) makes those bytes exactly, so rebuilt layer, manifest and index
 * digests can equal the published ones; {@link #javaGzip()} is the faster {@code java.util.zip} path whose bytes
 * differ (then only the diff_ids compare). The diff_id never depends on this choice.
 */
public interface LayerCompressor {
  byte[] compress(byte[] tar) throws IOException;

  MediaType mediaType();

  /** A name for reports ("java-gzip", "pgzip-klauspost-5"). */
  String name();

  /** apko's bytes: pgzip framing over klauspost deflate level 5, 1 MiB blocks compressed on all processors. */
  static LayerCompressor apko() {
    return apko(FlateVersion.APKO_CURRENT);
  }

  /** apko's bytes as made with klauspost/compress {@code version} (apko before 2025-12 used the older rule). */
  static LayerCompressor apko(FlateVersion version) {
    return new LayerCompressor() {
      @Override
      public byte[] compress(byte[] tar) {
        return ApkoGzip.compress(tar, version);
      }

      @Override
      public MediaType mediaType() {
        return MediaType.OCI_LAYER_GZIP;
      }

      @Override
      public String name() {
        return version == FlateVersion.APKO_CURRENT ? "pgzip-klauspost-5" : "pgzip-klauspost-5-pre-1.18.2";
      }
    };
  }

  /**
   * The compressor for {@code --compression NAME}: {@code apko} (the default, byte-exact with current apko),
   * {@code apko-legacy} (klauspost v1.15.10-v1.18.1, apko releases of 2022-09 to 2025-11) or {@code java}; any
   * other name is {@code COMPRESSION_UNKNOWN} (usage error).
   */
  static LayerCompressor named(String name) {
    return switch (name) {
      case "apko" -> apko();
      case "apko-legacy" -> apko(FlateVersion.V1_15_10_TO_1_18_1);
      case "java" -> javaGzip();
      default -> throw CheckException.usage(CompressCode.COMPRESSION_UNKNOWN,
          "unknown --compression '" + name + "': expected apko (byte-exact, default), apko-legacy or java");
    };
  }

  /**
   * A {@code --compression} option: {@code apko} (the default) is empty, the compressor of the apko version's rules
   * (its klauspost deflate); any other name forces that compressor.
   */
  public static java.util.Optional<LayerCompressor> forOption(String name) {
    LayerCompressor c = named(name);
    return name.equals("apko") ? java.util.Optional.empty() : java.util.Optional.of(c);
  }

  /** {@code java.util.zip} gzip at the default level: valid gzip, not apko's bytes. */
  static LayerCompressor javaGzip() {
    return new LayerCompressor() {
      @Override
      public byte[] compress(byte[] tar) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(Math.max(64, tar.length / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(bos, 65536) {
          {
            def.setLevel(Deflater.DEFAULT_COMPRESSION);
          }
        }) {
          // small writes: one huge array per deflate() call makes the JNI side copy it again and again
          for (int off = 0; off < tar.length; off += 65536) {
            gz.write(tar, off, Math.min(65536, tar.length - off));
          }
        }
        return bos.toByteArray();
      }

      @Override
      public MediaType mediaType() {
        return MediaType.OCI_LAYER_GZIP;
      }

      @Override
      public String name() {
        return "java-gzip";
      }
    };
  }
}
