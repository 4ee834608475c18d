package dev.bitproof.deb;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.report.CheckException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Trusted OpenPGP certificates (apt's {@code Signed-By} keyrings): binary ({@code .gpg}, as
 * {@code debian-archive-keyring.gpg}) or ASCII-armored ({@code .asc}), one or several files.
 */
public final class PgpKeyring {
  /** Keyrings are small (Debian's whole archive keyring is 56 KB); more than this is refused. */
  public static final long MAX_KEYRING_BYTES = 16L << 20;

  private final List<PGPPublicKeyRing> rings;

  private PgpKeyring(List<PGPPublicKeyRing> rings) {
    this.rings = List.copyOf(rings);
  }

  public static PgpKeyring of(List<PGPPublicKeyRing> rings) {
    return new PgpKeyring(rings);
  }

  /** Reads and merges keyring files; {@code PGP_KEYRING_INVALID} for unreadable data, {@code PGP_KEYRING_EMPTY}. */
  public static PgpKeyring load(List<Path> files) throws IOException {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        rings.addAll(parse(LimitedInputStream.readAll(in, MAX_KEYRING_BYTES, DebCode.PGP_KEYRING_TOO_LARGE, f.toString()),
            f.toString()));
      }
    }
    if (rings.isEmpty()) {
      throw new CheckException(DebCode.PGP_KEYRING_EMPTY, files.toString(), "the keyring holds no public keys");
    }
    return new PgpKeyring(rings);
  }

  public static PgpKeyring load(Path... files) throws IOException {
    return load(List.of(files));
  }

  /** Parses one keyring, binary or armored (several armored blocks may follow each other). */
  public static List<PGPPublicKeyRing> parse(byte[] bytes, String subject) {
    List<PGPPublicKeyRing> out = new ArrayList<>();
    try {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      if (!text.stripLeading().startsWith("-----BEGIN PGP")) {
        addAll(new ByteArrayInputStream(bytes), out);
        return out;
      }
      int from = 0;
      int start;
      while ((start = text.indexOf("-----BEGIN PGP", from)) >= 0) {
        int end = text.indexOf("-----END PGP", start);
        if (end < 0) {
          throw new IOException("armor block without END line");
        }
        int eol = text.indexOf('\n', end);
        int stop = eol < 0 ? text.length() : eol + 1;
        addAll(new ArmoredInputStream(new ByteArrayInputStream(bytes, start, stop - start)), out);
        from = stop;
      }
    } catch (IOException | PGPException | RuntimeException e) {
      throw new CheckException(DebCode.PGP_KEYRING_INVALID, subject, "not an OpenPGP public keyring: " + e.getMessage(), e);
    }
    return out;
  }

  private static void addAll(InputStream in, List<PGPPublicKeyRing> out) throws IOException, PGPException {
    new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator()).getKeyRings().forEachRemaining(out::add);
  }

  public List<PGPPublicKeyRing> rings() {
    return rings;
  }

  /** The certificate holding {@code keyId} (a primary key or a subkey). */
  public Optional<PGPPublicKeyRing> ringOf(long keyId) {
    for (PGPPublicKeyRing r : rings) {
      if (r.getPublicKey(keyId) != null) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The certificate holding a (sub)key with this v4/v6 fingerprint. */
  public Optional<PGPPublicKeyRing> ringOf(byte[] fingerprint) {
    for (PGPPublicKeyRing r : rings) {
      for (Iterator<PGPPublicKey> it = r.getPublicKeys(); it.hasNext(); ) {
        if (java.util.Arrays.equals(it.next().getFingerprint(), fingerprint)) {
          return Optional.of(r);
        }
      }
    }
    return Optional.empty();
  }

  public int size() {
    return rings.size();
  }

  /** Upper-case hex fingerprint, as gpg prints it. */
  public static String fingerprint(PGPPublicKey k) {
    return HexFormat.of().formatHex(k.getFingerprint()).toUpperCase(Locale.ROOT);
  }

  /** 16 hex digits, as gpg prints a long key ID. */
  public static String keyId(long id) {
    return String.format("%016X", id);
  }

  /** The first user ID of the primary key, or "". */
  public static String userId(PGPPublicKeyRing ring) {
    Iterator<String> ids = ring.getPublicKey().getUserIDs();
    return ids.hasNext() ? ids.next() : "";
  }
}
