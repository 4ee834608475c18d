package dev.bitproof.cli.commands;

import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.deb.ArchiveVerifier;
import dev.bitproof.deb.DebArchive;
import dev.bitproof.deb.DebVerification;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bitproof deb}: Debian's archive trust chain, .deb signatures and Debian-based images. */
@Command(name = "deb", mixinStandardHelpOptions = true,
    description = "Debian: verify the signed archive chain (InRelease -> Packages -> .deb), embedded deb signatures, "
        + "and Debian-based images against their dpkg database.",
    subcommands = {DebCommand.Verify.class, DebCommand.ImageCheck.class})
public final class DebCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify or image-check");
  }

  /** Archive options shared by both subcommands. */
  static final class ArchiveOptions {
    @Option(names = "--keyring", paramLabel = "FILE",
        description = "Trusted archive keyring (binary .gpg or armored .asc), as apt's Signed-By; repeatable.")
    List<Path> keyrings = new ArrayList<>();

    @Option(names = "--release", paramLabel = "FILE",
        description = "InRelease (cleartext-signed) or Release (then its Release.gpg comes from --release-gpg or FILE.gpg); repeatable, one per suite.")
    List<Path> releases = new ArrayList<>();

    @Option(names = "--release-gpg", paramLabel = "FILE",
        description = "Detached signature for the n-th non-cleartext --release; repeatable.")
    List<Path> releaseGpg = new ArrayList<>();

    @Option(names = "--packages", paramLabel = "FILE",
        description = "Packages index (.xz, .gz or plain), matched to a verified Release by SHA256; repeatable.")
    List<Path> packages = new ArrayList<>();

    @Option(names = "--signed-by", paramLabel = "FPR", split = ",",
        description = "Only these signers count, as apt's Signed-By fingerprints: a primary key fingerprint (its subkeys count)"
            + " or a (sub)key fingerprint with a ! suffix for that exact key.")
    List<String> signedBy = new ArrayList<>();

    @Option(names = "--suite", paramLabel = "NAME", description = "Require the Release's Suite or Codename to be NAME.")
    String suite;

    @Option(names = "--component", paramLabel = "NAME", description = "Accept only indexes of this component (main).")
    String component;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Accept only indexes of this architecture (amd64).")
    String arch;

    @Option(names = "--now", paramLabel = "INSTANT",
        description = "Verification time for Date/Valid-Until and key expiry (ISO-8601, e.g. 2026-11-29T12:00:00Z); default: the clock.")
    String now;

    Instant now() {
      if (now == null) {
        return Instant.now();
      }
      try {
        return Instant.parse(now);
      } catch (DateTimeParseException e) {
        throw CheckException.usage(CliCode.USAGE_BAD_TIME, "--now must be an ISO-8601 instant such as 2026-11-29T12:00:00Z");
      }
    }

    ArchiveVerifier.Options options() {
      ArchiveVerifier.Options o = ArchiveVerifier.Options.at(now()).withSuite(suite).withComponent(component)
          .withArchitecture(arch);
      if (signedBy.isEmpty()) {
        return o;
      }
      java.util.Set<String> fprs = new java.util.HashSet<>();
      for (String f : signedBy) {
        String norm = f.replace(" ", "").toUpperCase(java.util.Locale.ROOT);
        if (!norm.matches("[0-9A-F]{40}!?|[0-9A-F]{64}!?")) {
          throw CheckException.usage(CliCode.USAGE_BAD_FINGERPRINT, "--signed-by wants a full fingerprint, got '" + f + "'");
        }
        fprs.add(norm);
      }
      dev.bitproof.deb.PgpVerifier.Policy p = o.policy();
      return new ArchiveVerifier.Options(new dev.bitproof.deb.PgpVerifier.Policy(p.now(), p.maxClockSkew(), fprs),
          o.suite(), o.component(), o.architecture(), o.maxFutureDate());
    }

    /** The archive these options name, checked under {@code o}. */
    DebArchive archive(ArchiveVerifier.Options o) {
      return new DebArchive(keyrings, releases, releaseGpg, packages, o);
    }
  }

  /** Findings one a line, then the verdict. */
  static void text(java.io.PrintWriter w, List<Finding> findings) {
    findings.forEach(f -> w.println(Output.findingText(f)));
    long failing = findings.stream().filter(Finding::fails).count();
    w.println(failing > 0 ? "FAIL: " + failing + " failing finding(s)" : "PASS");
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify InRelease/Release signatures with apt's rule, Packages indexes against the Release, "
          + "and each DEB against a signed Packages entry (SHA256 + size); embedded _gpg* signatures with --debsig-keyring.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:verified / ok", "1:checked and found failures", "2:usage error", "3:could not check", "4:internal error"})
  public static final class Verify implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nArchive:%n")
    ArchiveOptions archive = new ArchiveOptions();

    @Option(names = "--debsig-keyring", paramLabel = "FILE",
        description = "Verify embedded debsigs (_gpgorigin) / dpkg-sig (_gpgbuilder) signatures against this keyring; repeatable.")
    List<Path> debsigKeyrings = new ArrayList<>();

    @Parameters(paramLabel = "DEB", arity = "0..*", description = ".deb files to verify")
    List<Path> debs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Output o = common.output();
      ArchiveOptions ao = archive == null ? new ArchiveOptions() : archive;
      if (ao.releases.isEmpty() && ao.packages.isEmpty() && debs.isEmpty()) {
        throw CheckException.usage(CliCode.USAGE_NOTHING_TO_VERIFY, "give --release (and --keyring), --packages or DEB files");
      }
      DebVerification.VerifyResult r = DebVerification.verify(ao.archive(ao.options()), debs, debsigKeyrings, o::progress);
      return o.render(new Result("deb verify", r.outcome(), r, w -> text(w, r.findings())));
    }
  }

  @Command(name = "image-check", mixinStandardHelpOptions = true,
      description = "Check a Debian-based image (or a rootfs tar) against its dpkg database: md5 of every packaged "
          + "file, conffiles, unowned files; with --release/--packages, prove each installed version in the signed archive.",
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
        "0:verified / ok", "1:checked and found failures", "2:usage error", "3:could not check", "4:internal error"})
  public static final class ImageCheck implements Callable<Integer> {
    @Mixin
    Common common;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nArchive:%n")
    ArchiveOptions archive = new ArchiveOptions();

    @Parameters(paramLabel = "REF", arity = "0..1", description = "Image reference (oci:DIR[:TAG], ...)")
    String ref;

    @Option(names = "--rootfs", paramLabel = "TAR", description = "A root filesystem tar (plain, gz, xz, zst) instead of an image.")
    Path rootfs;

    @Option(names = "--platform", paramLabel = "OS/ARCH", description = "Which image of a multi-platform index (default: the only one, else linux/amd64).")
    String platform;

    @Option(names = "--deb", paramLabel = "FILE",
        description = "A .deb of an installed package: compare all its files (conffiles included) and symlinks with the image;"
            + " with --packages the deb is also chained to the signed archive. Repeatable.")
    List<Path> debFiles = new ArrayList<>();

    @Option(names = "--fail-unowned", description = "Fail on files no package owns and no rule explains (default: warn).")
    boolean failUnowned;

    @Option(names = "--insecure", description = "Allow plain-http / unverified TLS registries.")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
      Output o = common.output();
      if (archive == null) {
        archive = new ArchiveOptions();
      }
      if ((ref == null) == (rootfs == null)) {
        throw CheckException.usage(CliCode.USAGE_IMAGE_OR_ROOTFS, "give exactly one of REF or --rootfs TAR");
      }
      DebVerification.ImageCheckRequest req = new DebVerification.ImageCheckRequest(Optional.ofNullable(ref),
          Optional.ofNullable(rootfs), Optional.ofNullable(platform).map(Platform::parse),
          TransportOptions.defaults().withInsecure(insecure), debFiles, failUnowned);
      DebVerification.ImageCheckResult r = DebVerification.imageCheck(req, archive.archive(archive.options()), o::progress);
      return o.render(new Result("deb image-check", r.outcome(), r, w -> text(w, r.findings())));
    }
  }
}
