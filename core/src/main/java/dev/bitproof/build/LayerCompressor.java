package dev.bitproof.build;

import dev.bitproof.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Turns an uncompressed layer tar into the blob that is published. apko uses pgzip + klauspost deflate level 5,
 * which {@code java.util.zip} cannot reproduce; {@link #javaGzip()} is the stand-in until the byte-exact encoder
 * ({@code dev.bitproof.compress}) plugs in here. The diff_id never depends on this choice.
 */
public interface LayerCompressor {
  byte[] compress(byte[] tar) throws IOException;

  MediaType mediaType();

  /** A name for reports ("java-gzip", "pgzip-klauspost-5"). */
  String name();

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
