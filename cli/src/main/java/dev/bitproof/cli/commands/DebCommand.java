package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.deb.ArchiveVerifier;
import dev.bitproof.deb.DebCode;
import dev.bitproof.deb.DebPackage;
import dev.bitproof.deb.DpkgDatabase;
import dev.bitproof.deb.DpkgImageCheck;
import dev.bitproof.deb.PackagesIndex;
import dev.bitproof.deb.PgpKeyring;
import dev.bitproof.deb.RootfsTar;
import dev.bitproof.json.Json;
import dev.bitproof.oci.ImageReference;
import dev.bitproof.oci.Platform;
import dev.bitproof.oci.transport.ImageSource;
import dev.bitproof.oci.transport.Images;
import dev.bitproof.oci.transport.TransportCode;
import dev.bitproof.oci.transport.TransportOptions;
import dev.bitproof.oci.transport.Transports;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Finding;
import dev.bitproof.image.ImageFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
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

    boolean any() {
      return !releases.isEmpty() || !packages.isEmpty();
    }

    /** Verifies the releases and loads the packages indexes; findings go to {@code out}. */
    List<PackagesIndex> load(ArchiveVerifier.Options o, Predicate<String> keep, List<Finding> out, Output progress)
        throws IOException {
      if (releases.isEmpty() && !packages.isEmpty()) {
        throw CheckException.usage(CliCode.USAGE_RELEASE_REQUIRED, "--packages needs the --release that signs it");
      }
      if (!releases.isEmpty() && keyrings.isEmpty()) {
        throw CheckException.usage(CliCode.USAGE_KEYRING_REQUIRED, "--release needs --keyring (the trusted archive keys)");
      }
      List<ArchiveVerifier.VerifiedRelease> verified = new ArrayList<>();
      if (!releases.isEmpty()) {
        PgpKeyring keyring = PgpKeyring.load(keyrings);
        int detached = 0;
        for (Path r : releases) {
          byte[] bytes = Files.readAllBytes(r);
          String name = r.getFileName().toString();
          ArchiveVerifier.VerifiedRelease vr;
          if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1).stripLeading()
              .startsWith("-----BEGIN PGP SIGNED MESSAGE-----")) {
            vr = ArchiveVerifier.verifyInRelease(bytes, name, keyring, o);
          } else {
            Path sig = detached < releaseGpg.size() ? releaseGpg.get(detached) : r.resolveSibling(name + ".gpg");
            detached++;
            if (!Files.exists(sig)) {
              throw new CheckException(DebCode.DEB_RELEASE_SIGNATURE_MISSING, name,
                  "Release is not cleartext-signed and no detached signature was given (--release-gpg) or found at " + sig);
            }
            vr = ArchiveVerifier.verifyDetached(bytes, Files.readAllBytes(sig), name, keyring, o);
          }
          out.addAll(vr.findings());
          verified.add(vr);
        }
      }
      List<PackagesIndex> indexes = new ArrayList<>();
      for (Path p : packages) {
        progress.progress("bitproof: reading " + p.getFileName());
        ArchiveVerifier.LoadedIndex li = ArchiveVerifier.loadPackages(p, verified, o, keep);
        out.addAll(li.findings());
        li.index().ifPresent(indexes::add);
      }
      return indexes;
    }
  }

  static int report(Output o, String command, Instant now, List<Finding> findings, ObjectNode extra) {
    boolean failed = findings.stream().anyMatch(Finding::fails);
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("now", now.toString());
    if (extra != null) {
      n.setAll(extra);
    }
    n.set("findings", Output.findingsJson(findings));
    return o.render(new Result(command, Outcome.of(!failed), new Result.Tree(n), w -> {
      findings.forEach(f -> w.println(Output.findingText(f)));
      w.println(failed ? "FAIL: " + findings.stream().filter(Finding::fails).count() + " failing finding(s)" : "PASS");
    }));
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
      if (archive == null) {
        archive = new ArchiveOptions();
      }
      if (!archive.any() && debs.isEmpty()) {
        throw CheckException.usage(CliCode.USAGE_NOTHING_TO_VERIFY, "give --release (and --keyring), --packages or DEB files");
      }
      ArchiveVerifier.Options opts = archive.options();
      List<Finding> findings = new ArrayList<>();
      List<PackagesIndex> indexes = archive.load(opts, n -> false, findings, o);
      PgpKeyring debsig = debsigKeyrings.isEmpty() ? null : PgpKeyring.load(debsigKeyrings);
      for (Path d : debs) {
        DebPackage deb;
        try {
          deb = DebPackage.read(d);
        } catch (CheckException e) {
          if (e.kind() != CheckException.Kind.INTEGRITY) {
            throw e;
          }
          // a malformed deb is a verdict on that deb; the others are still checked
          findings.add(Finding.fail(e.code(), d.getFileName().toString(), e.getMessage()));
          continue;
        }
        findings.addAll(deb.findings());
        if (!archive.packages.isEmpty() || debsig == null) {
          findings.add(ArchiveVerifier.checkDeb(deb.subject(), deb.name(), deb.version(), deb.architecture(),
              deb.sha256(), deb.size(), indexes));
        }
        if (debsig != null) {
          findings.addAll(deb.verifyEmbeddedSignatures(debsig, opts.policy()));
        }
      }
      return report(o, "deb verify", opts.policy().now(), findings, null);
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
      ImageFilesystem fs;
      String subject;
      if (rootfs != null) {
        subject = rootfs.toString();
        o.progress("bitproof: reading " + rootfs);
        fs = RootfsTar.read(rootfs, (p, s) -> DpkgDatabase.isDatabasePath(p));
      } else {
        subject = ref;
        fs = readImage(ImageReference.parse(ref), o);
      }
      DpkgImageCheck.Result r = DpkgImageCheck.check(fs, new DpkgImageCheck.Options(failUnowned));
      List<Finding> findings = new ArrayList<>(r.findings());
      ArchiveVerifier.Options opts = archive.options();
      List<PackagesIndex> indexes = List.of();
      if (archive.any()) {
        Set<String> names = new HashSet<>();
        r.database().installed().forEach(p -> names.add(p.name()));
        indexes = archive.load(opts, names::contains, findings, o);
        findings.addAll(DpkgImageCheck.proveInArchive(r.database(), indexes));
      }
      if (!debFiles.isEmpty()) {
        List<DebPackage> debs = new ArrayList<>();
        for (Path d : debFiles) {
          DebPackage deb = DebPackage.read(d);
          findings.addAll(deb.findings());
          if (!archive.packages.isEmpty()) {
            findings.add(ArchiveVerifier.checkDeb(deb.subject(), deb.name(), deb.version(), deb.architecture(),
                deb.sha256(), deb.size(), indexes));
          }
          debs.add(deb);
        }
        findings.addAll(DpkgImageCheck.compareWithDebs(fs, r.database(), debs));
      }
      ObjectNode extra = Json.mapper().createObjectNode();
      extra.put("image", subject);
      extra.put("layout", r.database().layout().label());
      extra.put("packages", r.database().installed().size());
      extra.put("filesChecked", r.filesChecked());
      extra.put("ok", r.filesOk());
      ArrayNode unowned = extra.putArray("unowned");
      for (String u : r.unowned()) {
        ObjectNode e = unowned.addObject();
        e.put("path", u);
        e.put("explanation", r.unownedExplained().getOrDefault(u, ""));
      }
      return report(o, "deb image-check", opts.policy().now(), findings, extra);
    }

    private ImageFilesystem readImage(ImageReference ref, Output o) throws IOException {
      TransportOptions topts = TransportOptions.defaults().withInsecure(insecure);
      try (ImageSource src = Transports.source(ref, topts)) {
        Images.Tree tree = Images.walk(src);
        if (tree.images().isEmpty()) {
          throw new CheckException(TransportCode.IMAGE_EMPTY, ref.toString(), "the index holds no image");
        }
        Images.Resolved chosen = pick(tree.images(), ref);
        o.progress("bitproof: reading " + chosen.manifest().layers().size() + " layer(s) of " + ref);
        return ImageFilesystem.read(src, chosen.manifest(), (p, s) -> DpkgDatabase.isDatabasePath(p));
      }
    }

    private Images.Resolved pick(List<Images.Resolved> images, ImageReference ref) {
      Optional<Platform> want = Optional.ofNullable(platform).map(Platform::parse);
      if (want.isEmpty() && images.size() == 1) {
        return images.get(0);
      }
      Platform p = want.orElse(Platform.of("linux", "amd64", ""));
      for (Images.Resolved r : images) {
        Optional<Platform> ip = r.indexEntry().flatMap(d -> d.platform());
        if (ip.isPresent() && p.matches(ip.get())) {
          return r;
        }
        if (ip.isEmpty() && r.config().os() != null && p.os().equals(r.config().os())
            && p.architecture().equals(r.config().architecture())) {
          return r;
        }
      }
      throw CheckException.usage(CliCode.USAGE_PLATFORM_NOT_FOUND, "no image for platform " + p + " in " + ref);
    }
  }

}
