package dev.bitproof.hook;

import dev.bitproof.oci.ImageReference;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Signs a verify report as attestations (and attaches them to the image when so configured). The signer and its key
 * are wired by whoever starts the hook; the hook only says which image and report, and where the bundle goes.
 */
@FunctionalInterface
public interface Attester {
  /** Returns the summary stored in the result (key id, digests, where attached). */
  dev.bitproof.attest.SignSummary attest(ImageReference image, byte[] reportJson, Path out) throws IOException;
}
