package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.compress.CompressCode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.compress.Recompression;
import dev.bitproof.io.IoCode;
import dev.bitproof.json.Json;
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
import dev.bitproof.report.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof recompress}: does apko's compressor reproduce these gzip layers byte for byte? */
@Command(name = "recompress", mixinStandardHelpOptions = true,
    description = {"Check whether apko's layer compressor (pgzip + klauspost deflate level 5) reproduces gzip layers "
        + "byte for byte: each layer is inflated and compressed again. Equal bytes prove the published layer "
        + "digest is exactly what apko makes from that content.",
        "TARGET is a gzip blob file or an image reference (oci:DIR, oci-archive:FILE, docker://REF …), whose gzip "
            + "layers are all checked."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:every gzip layer reproduced",
      "1:a layer was not reproduced (same content, other bytes), or a blob failed its digest",
      "2:usage error",
      "3:could not check (missing file, not gzip, unreachable image)",
      "4:internal error"})
public final class RecompressCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Parameters(arity = "1..*", paramLabel = "TARGET", description = "gzip blob files or image references.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--write", paramLabel = "DIR", description = "Also write our recompressed bytes as DIR/<sha256 hex>.")
  Path writeDir;

  @Option(names = "--threads", paramLabel = "N", description = "Blocks compressed in parallel (default: processors).")
  Integer threads;

  @Override
  public Integer call() throws IOException {
    Output out = common.output();
    int parallelism = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (parallelism < 1) {
      throw CheckException.usage(CliCode.THREADS_INVALID, "--threads must be at least 1");
    }
    if (writeDir != null) {
      Files.createDirectories(writeDir);
    }
    List<Finding> findings = new ArrayList<>();
    for (String t : targets) {
      Path file = Path.of(t);
      if (Files.isRegularFile(file)) {
        out.progress("bitproof recompress: " + t);
        try (InputStream in = Files.newInputStream(file)) {
          findings.add(check(in, t, parallelism));
        }
      } else if (!t.contains(":")) {
        throw new CheckException(IoCode.FILE_NOT_FOUND, t, "no such file (and not an image reference)");
      } else {
        checkImage(ImageReference.parse(t), parallelism, findings, out);
      }
    }
    long reproduced = findings.stream().filter(f -> f.code() == CompressCode.LAYER_COMPRESSION_REPRODUCED).count();
    long checked = findings.stream().filter(f -> f.code() == CompressCode.LAYER_COMPRESSION_REPRODUCED
        || f.code() == CompressCode.LAYER_COMPRESSION_NOT_REPRODUCED).count();
    boolean pass = findings.stream().noneMatch(Finding::fails) && checked > 0;
    String summary = reproduced + " of " + checked + " gzip layer" + (checked == 1 ? "" : "s")
        + " reproduced by apko's compressor";
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("reproduced", reproduced);
    n.put("checked", checked);
    n.set("findings", Output.findingsJson(findings));
    return out.render(new Result("recompress", Outcome.of(pass), new Result.Tree(n), w -> {
      w.println("bitproof recompress: " + (pass ? "PASS" : "FAIL") + " — " + summary);
      findings.forEach(f -> w.println(Output.findingText(f)));
    }));
  }

  private void checkImage(ImageReference ref, int parallelism, List<Finding> findings, Output out) throws IOException {
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
          out.progress("bitproof recompress: " + subject);
          try (InputStream in = src.blob(d)) {
            findings.add(check(in, subject, parallelism));
          }
        }
      }
    }
  }

  private Finding check(InputStream in, String subject, int parallelism) throws IOException {
    if (writeDir == null) {
      return Recompression.finding(Recompression.recompress(in, subject, parallelism, null), subject, Severity.FAIL);
    }
    Path tmp = Files.createTempFile(writeDir, ".recompress", ".gz");
    try {
      Recompression.Result r;
      try (OutputStream copy = Files.newOutputStream(tmp)) {
        r = Recompression.recompress(in, subject, parallelism, copy);
      }
      Files.move(tmp, writeDir.resolve(r.recompressed().hex()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return Recompression.finding(r, subject, Severity.FAIL);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
