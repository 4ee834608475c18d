package dev.bitproof.compress;

import dev.bitproof.io.IoCode;
import dev.bitproof.json.JsonBody;
import dev.bitproof.oci.Descriptor;
import dev.bitproof.oci.Digest;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.MediaType;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code recompress}: does apko's compressor reproduce these gzip layers byte for byte? Each target is a gzip blob
 * file or an image reference, whose gzip layers (each digest once) are inflated and compressed again.
 */
public final class RecompressCheck {
  private RecompressCheck() {}

  /**
   * The body of {@code docs/schema/recompress.json}: how many gzip layers were checked and reproduced, and the findings.
   */
  public record Result(long reproduced, long checked, List<Finding> findings) implements JsonBody {
    public Result {
      findings = List.copyOf(findings);
    }

    /** PASS when at least one layer was checked and nothing failed. */
    public Outcome outcome() {
      return Outcome.of(findings.stream().noneMatch(Finding::fails) && checked > 0);
    }
  }

  /** @param writeDir also write our recompressed bytes as {@code DIR/<sha256 hex>} (created when missing) */
  public static Result run(List<String> targets, int parallelism, Optional<Path> writeDir, Consumer<String> progress)
      throws IOException {
    if (writeDir.isPresent()) {
      Files.createDirectories(writeDir.get());
    }
    List<Finding> findings = new ArrayList<>();
    for (String t : targets) {
      Path file = Path.of(t);
      if (Files.isRegularFile(file)) {
        progress.accept("bitproof recompress: " + t);
        try (InputStream in = Files.newInputStream(file)) {
          findings.add(check(in, t, parallelism, writeDir));
        }
      } else if (!t.contains(":")) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, t, "no such file (and not an image reference)");
      } else {
        checkImage(ImageReference.parse(t), parallelism, writeDir, findings, progress);
      }
    }
    long reproduced = findings.stream().filter(f -> f.code() == CompressCode.LAYER_COMPRESSION_REPRODUCED).count();
    long checked = findings.stream().filter(f -> f.code() == CompressCode.LAYER_COMPRESSION_REPRODUCED
        || f.code() == CompressCode.LAYER_COMPRESSION_NOT_REPRODUCED).count();
    return new Result(reproduced, checked, findings);
  }

  private static void checkImage(ImageReference ref, int parallelism, Optional<Path> writeDir, List<Finding> findings,
      Consumer<String> progress) throws IOException {
    try (ImageSource src = Transports.source(ref, TransportOptions.defaults())) {
      Set<Digest> seen = new HashSet<>();
      for (Images.Resolved img : Images.walk(src).images()) {
        String platform = img.config().platform().toString();
        List<Descriptor> layers = img.manifest().layers();
        for (int i = 0; i < layers.size(); i++) {
          Descriptor d = layers.get(i);
          String subject = platform + " layer " + i + " " + d.digest();
          if (!seen.add(d.digest())) {
            continue;
          }
          if (d.mediaType().layerCompression() != MediaType.Compression.GZIP) {
            findings.add(Finding.of(IoCode.LAYER_NOT_GZIP, Severity.INFO, subject, "not a gzip layer, skipped")
                .with("mediaType", d.mediaType()));
            continue;
          }
          progress.accept("bitproof recompress: " + subject);
          try (InputStream in = src.blob(d)) {
            findings.add(check(in, subject, parallelism, writeDir));
          }
        }
      }
    }
  }

  private static Finding check(InputStream in, String subject, int parallelism, Optional<Path> writeDir)
      throws IOException {
    if (writeDir.isEmpty()) {
      return Recompression.finding(Recompression.recompress(in, subject, parallelism, null), subject, Severity.FAIL);
    }
    Path tmp = Files.createTempFile(writeDir.get(), ".recompress", ".gz");
    try {
      Recompression.Result r;
      try (OutputStream copy = Files.newOutputStream(tmp)) {
        r = Recompression.recompress(in, subject, parallelism, copy);
      }
      Files.move(tmp, writeDir.get().resolve(r.recompressed().hex()), StandardCopyOption.REPLACE_EXISTING);
      return Recompression.finding(r, subject, Severity.FAIL);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
