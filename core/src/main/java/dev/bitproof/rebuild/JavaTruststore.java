package dev.bitproof.rebuild;

import dev.bitproof.report.CheckException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Java {@code cacerts} keystore as apko re-writes it when certificates are added
 * ({@code pkg/build/certificates.go} with {@code github.com/pavlo-v-chernykh/keystore-go/v4} v4.5.0): JKS loaded with
 * the password {@code changeit} (magic, version 1 or 2, SHA-1 integrity digest over the UTF-16BE password,
 * "Mighty Aphrodite" and the content), trusted certificates added under lower-cased aliases with the build date as
 * creation time (milliseconds), written back as JKS version 2 with the aliases sorted bytewise. Entries already there
 * are kept as read (private keys stay encrypted, bytes untouched; a version-1 certificate gets the type
 * {@code "X509"}, as keystore-go names it). A store keystore-go cannot load fails apko's build.
 */
public final class JavaTruststore {
  private static final int MAGIC = 0xFEEDFEED;
  private static final int PRIVATE_KEY = 1;
  private static final int TRUSTED_CERT = 2;
  private static final byte[] WHITENER = "Mighty Aphrodite".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PASSWORD = "changeit".getBytes(StandardCharsets.US_ASCII);
  /** Our bound: a keystore is a few hundred KiB; keystore-go has none. */
  static final int MAX_BYTES = 64 * 1024 * 1024;

  private final TreeMap<String, Object> entries = new TreeMap<>();

  private JavaTruststore() {}

  private record Cert(String type, byte[] content) {}

  private record Trusted(long created, Cert cert) {}

  private record PrivateKey(long created, byte[] encrypted, List<Cert> chain) {}

  /** keystore-go's {@code Load} with {@code changeit}; {@code BUILD_TRUSTSTORE_INVALID} where it returns an error. */
  public static JavaTruststore load(byte[] b, String path) {
    if (b.length > MAX_BYTES) {
      throw new CheckException(RebuildCode.BUILD_TRUSTSTORE_INVALID, path, "Java truststore over " + MAX_BYTES + " bytes");
    }
    JavaTruststore ks = new JavaTruststore();
    Reader r = new Reader(b, path);
    if (r.u32() != MAGIC) {
      throw r.bad("got invalid magic (not a JKS keystore; apko cannot load it)");
    }
    int version = r.u32();
    long n = r.u32() & 0xffffffffL;
    for (long i = 0; i < n; i++) {
      int tag = r.u32();
      String alias = r.string();
      switch (tag) {
        case PRIVATE_KEY -> {
          long created = r.u64();
          byte[] key = r.bytes(r.u32() & 0xffffffffL);
          long certs = r.u32() & 0xffffffffL;
          List<Cert> chain = new java.util.ArrayList<>();
          for (long c = 0; c < certs; c++) {
            chain.add(r.cert(version));
          }
          ks.entries.put(alias, new PrivateKey(created, key, chain));
        }
        case TRUSTED_CERT -> {
          long created = r.u64();
          ks.entries.put(alias, new Trusted(created, r.cert(version)));
        }
        default -> throw r.bad("got unknown entry tag " + tag);
      }
    }
    byte[] computed = r.digest();
    byte[] stored = r.bytes(20);
    if (!MessageDigest.isEqual(computed, stored)) {
      throw r.bad("got invalid digest (not the 'changeit' password, or tampered)");
    }
    return ks;
  }

  /** {@code SetTrustedCertificateEntry}: alias lower-cased as Go's {@code strings.ToLower}; same alias replaces. */
  public void addTrusted(String alias, byte[] der, long buildDateSeconds) {
    if (der.length == 0) {
      throw new CheckException(RebuildCode.BUILD_TRUSTSTORE_INVALID, alias, "empty certificate content");
    }
    entries.put(latin1(goToLower(alias).getBytes(StandardCharsets.UTF_8)),
        new Trusted(buildDateSeconds * 1000, new Cert("X.509", der.clone())));
  }

  /** The aliases as keystore-go holds them (their UTF-8 bytes), sorted bytewise. */
  public List<String> aliases() {
    return entries.keySet().stream().map(a -> new String(a.getBytes(StandardCharsets.ISO_8859_1),
        StandardCharsets.UTF_8)).toList();
  }

  /** {@code Store}: JKS version 2, aliases sorted, SHA-1 integrity digest. */
  public byte[] store(String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u32(out, MAGIC);
    u32(out, 2);
    u32(out, entries.size());
    for (Map.Entry<String, Object> e : entries.entrySet()) {
      byte[] alias = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
      if (e.getValue() instanceof PrivateKey pk) {
        u32(out, PRIVATE_KEY);
        string(out, alias, path);
        u64(out, pk.created());
        u32(out, pk.encrypted().length);
        out.writeBytes(pk.encrypted());
        u32(out, pk.chain().size());
        for (Cert c : pk.chain()) {
          cert(out, c, path);
        }
      } else {
        Trusted t = (Trusted) e.getValue();
        u32(out, TRUSTED_CERT);
        string(out, alias, path);
        u64(out, t.created());
        cert(out, t.cert(), path);
      }
    }
    byte[] body = out.toByteArray();
    out.writeBytes(sha1(body));
    return out.toByteArray();
  }

  /** Go's {@code strings.ToLower}: per code point, simple case mapping. */
  static String goToLower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.toLowerCase(c)));
    return b.toString();
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static byte[] sha1(byte[] body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(passwordBytes());
      md.update(WHITENER);
      md.update(body);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** keystore-go's passwordBytes: each byte preceded by a zero (UTF-16BE of an ASCII password). */
  private static byte[] passwordBytes() {
    byte[] p = new byte[PASSWORD.length * 2];
    for (int i = 0; i < PASSWORD.length; i++) {
      p[2 * i + 1] = PASSWORD[i];
    }
    return p;
  }

  private static void u32(ByteArrayOutputStream o, int v) {
    o.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
  }

  private static void u64(ByteArrayOutputStream o, long v) {
    o.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
  }

  private static void string(ByteArrayOutputStream o, byte[] s, String path) {
    if (s.length > 0xffff) {
      throw new CheckException(RebuildCode.BUILD_TRUSTSTORE_INVALID, path, "alias longer than 65535 bytes");
    }
    o.write(s.length >>> 8);
    o.write(s.length & 0xff);
    o.writeBytes(s);
  }

  private static void cert(ByteArrayOutputStream o, Cert c, String path) {
    string(o, c.type().getBytes(StandardCharsets.ISO_8859_1), path);
    u32(o, c.content().length);
    o.writeBytes(c.content());
  }

  /** Reads big-endian fields, every length checked against what is left. */
  private static final class Reader {
    private final byte[] b;
    private final String path;
    private int pos;

    Reader(byte[] b, String path) {
      this.b = b;
      this.path = path;
    }

    CheckException bad(String why) {
      return new CheckException(RebuildCode.BUILD_TRUSTSTORE_INVALID, path, "failed to load Java truststore " + path + ": " + why);
    }

    byte[] bytes(long n) {
      if (n > b.length - pos) {
        throw bad("read " + n + " bytes: unexpected EOF at offset " + pos);
      }
      byte[] out = Arrays.copyOfRange(b, pos, pos + (int) n);
      pos += (int) n;
      return out;
    }

    int u32() {
      return ByteBuffer.wrap(bytes(4)).getInt();
    }

    long u64() {
      return ByteBuffer.wrap(bytes(8)).getLong();
    }

    String string() {
      byte[] len = bytes(2);
      return latin1(bytes(((len[0] & 0xff) << 8) | (len[1] & 0xff)));
    }

    Cert cert(int version) {
      String type = switch (version) {
        case 1 -> "X509";
        case 2 -> string();
        default -> throw bad("got unknown version " + version);
      };
      return new Cert(type, bytes(u32() & 0xffffffffL));
    }

    byte[] digest() {
      return sha1(Arrays.copyOf(b, pos));
    }
  }
}
