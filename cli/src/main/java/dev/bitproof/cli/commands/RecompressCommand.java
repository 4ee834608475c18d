package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.compress.RecompressCheck;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    RecompressCheck.Result r = RecompressCheck.run(targets, parallelism, Optional.ofNullable(writeDir), out::progress);
    String summary = r.reproduced() + " of " + r.checked() + " gzip layer" + (r.checked() == 1 ? "" : "s")
        + " reproduced by apko's compressor";
    return out.render(new Result("recompress", r.outcome(), r, w -> {
      w.println("bitproof recompress: " + r.outcome() + " — " + summary);
      r.findings().forEach(f -> w.println(Output.findingText(f)));
    }));
  }
}
