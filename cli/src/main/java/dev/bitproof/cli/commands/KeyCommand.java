package dev.bitproof.cli.commands;

import dev.bitproof.report.Outcome;
import dev.bitproof.attest.sign.KeyGeneration;
import dev.bitproof.attest.sign.KeyType;
import dev.bitproof.attest.sign.SignCode;
import dev.bitproof.cli.options.Common;
import dev.bitproof.cli.render.Output;
import dev.bitproof.cli.render.Result;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bitproof key …}: attestation signing keys. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage attestation signing keys.",
    subcommands = {KeyCommand.Generate.class})
public final class KeyCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (see --help)");
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Generate a key pair: PREFIX.key (PKCS#8 PEM, or cosign's ENCRYPTED SIGSTORE PRIVATE KEY with "
          + "--encrypt) and PREFIX.pub (SPKI PEM). The key id is the hex SHA-256 of the public key's DER."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:written", "2:usage error", "3:could not write", "4:internal error"})
  public static final class Generate implements Callable<Integer> {
    @Mixin
    Common common;

    @Mixin
    Passphrase passphrase;

    @Option(names = "--type", defaultValue = "ecdsa-p256", paramLabel = "ecdsa-p256|ed25519",
        description = "Key type (default: ${DEFAULT-VALUE}). ecdsa-p256 is what cosign uses.")
    String type;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Writes PREFIX.key and PREFIX.pub (an existing directory: "
        + "DIR/bitproof.key and DIR/bitproof.pub inside it); never overwrites.")
    Path out;

    /** The file name (without .key/.pub) used inside a directory given as --out. */
    static final String DEFAULT_NAME = "bitproof";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** --out as typed (a trailing '/' says "a directory", which Path drops). */
    private String outArg() {
      var parsed = spec.commandLine().getParseResult();
      return parsed != null && parsed.hasMatchedOption("--out") ? String.valueOf(parsed.matchedOption("--out").stringValues().get(0)) : String.valueOf(out);
    }

    @Option(names = "--encrypt", description = "Encrypt the private key in cosign's format (scrypt + secretbox) with the passphrase.")
    boolean encrypt;

    @Override
    public Integer call() throws IOException {
      Output o = common.output();
      KeyType t = KeyType.parse(type);
      Optional<char[]> pass = Optional.empty();
      if (encrypt) {
        char[] p = passphrase.get();
        if (p == null || p.length == 0) {
          throw CheckException.usage(SignCode.KEY_PASSPHRASE_MISSING, "--encrypt needs a passphrase: --passphrase-file or $" + Passphrase.ENV);
        }
        pass = Optional.of(p);
      }
      // an existing directory (or a name ending in '/') is where the pair goes, never a prefix beside it
      Path prefix = Files.isDirectory(out) || outArg().endsWith("/") ? out.resolve(DEFAULT_NAME) : out;
      KeyGeneration.Generated g = KeyGeneration.generate(t, prefix, pass, new SecureRandom());
      return o.render(new Result("key generate", Outcome.PASS, g, w -> {
        w.println("key id     " + g.keyId());
        w.println("type       " + g.type());
        w.println("private    " + g.privateKey() + (g.encrypted() ? " (encrypted, cosign format)" : ""));
        w.println("public     " + g.publicKey());
      }));
    }
  }
}
