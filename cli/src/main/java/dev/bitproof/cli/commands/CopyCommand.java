package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.options.TransportMixin;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.Copier;
import dev.bitproof.oci.transport.ImageDestination;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Transports;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Copies an image or index between transports byte for byte. */
@Command(name = "copy", mixinStandardHelpOptions = true,
    description = {"Copy an image or index from SRC to DST byte for byte: every blob is digest-checked while it "
        + "streams, manifests are written as read, so the digests are the same on both sides.",
        "A docker-archive holds one image: copying an index there needs --platform. Progress goes to stderr."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
      "0:copied", "1:tampered input (a blob or manifest does not match its digest); nothing was committed",
      "2:usage error", "3:could not copy (source missing, registry unreachable or refusing)", "4:internal error"})
public final class CopyCommand implements Callable<Integer> {
  @Mixin
  Common common;

  @Mixin
  TransportMixin transport;

  @Parameters(index = "0", paramLabel = "SRC", description = "Image to read.")
  String src;

  @Parameters(index = "1", paramLabel = "DST", description = "Where to write it.")
  String dst;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Copy only this platform's image out of an index.")
  String platform;

  @Option(names = "--src-creds", paramLabel = "USER:PASSWORD", description = "Credentials for the source registry only.")
  String srcCreds;

  @Option(names = "--dest-creds", paramLabel = "USER:PASSWORD", description = "Credentials for the destination registry only.")
  String destCreds;


  @Override
  public Integer call() throws Exception {
    Output out = common.output();
    ImageReference from = ImageReference.parse(src);
    ImageReference to = ImageReference.parse(dst);
    Optional<Platform> p = Optional.ofNullable(platform).map(Platform::parse);
    Copier.Result r;
    try (ImageSource s = Transports.source(from, transport.options(srcCreds));
        ImageDestination d = Transports.destination(to, transport.options(destCreds))) {
      r = Copier.copy(s, d, p, common.progress());
    }
    Copier.Result done = r;
    return out.render(new Result("copy", Outcome.PASS, r.summary(from, to), w -> {
      w.println("copied " + (done.root().isIndex() ? "index " : "manifest ") + done.root().digest() + " to " + to);
      w.println("  " + done.manifests() + " manifest(s), " + done.blobsCopied() + " blob(s) copied (" + done.bytes()
          + " B), " + done.blobsSkipped() + " already there");
    }));
  }
}
