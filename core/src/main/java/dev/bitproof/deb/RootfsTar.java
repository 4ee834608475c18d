package dev.bitproof.deb;

import dev.bitproof.io.Decompress;
import dev.bitproof.image.ImageFilesystem;
import dev.bitproof.tar.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A root filesystem given as one tar (plain, gzip, xz, zstd or bzip2, by magic), read as a one-layer image. */
public final class RootfsTar {
  /** Rootfs tars are large but bounded: 64 GiB out, ratio 1000:1. */
  public static final long MAX_OUTPUT = 64L << 30;

  private RootfsTar() {}

  public static ImageFilesystem read(Path tar, TarReader.KeepPredicate keep) throws IOException {
    String subject = tar.getFileName().toString();
    try (InputStream in = Decompress.sniff(Files.newInputStream(tar), MAX_OUTPUT, 1000, subject)) {
      ImageFilesystem.Builder b = new ImageFilesystem.Builder();
      b.addLayer(in, subject, keep);
      return b.build();
    }
  }
}
