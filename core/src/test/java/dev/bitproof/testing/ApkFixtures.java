package dev.bitproof.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small APK v2 and APKINDEX writer for tests, with the project's own throwaway RSA keys: the signed, unsigned and
 * deliberately broken packages the negative tests need, built the way abuild and melange build them (signature and
 * control tars without end-of-archive blocks, each in its own gzip stream; data files with
 * {@code APK-TOOLS.checksum.SHA1} PAX records; {@code datahash} = SHA-256 of the data gzip stream).
 */
public final class ApkFixtures {
  private ApkFixtures() {}

  /** A test signing key and the file name apk-tools would look it up by. */
  public record TestKey(String name, KeyPair pair) {
    public PrivateKey privateKey() {
      return pair.getPrivate();
    }

    public String publicPem() {
      return pem(pair.getPublic());
    }

    /** Writes the public key into {@code dir} under its name. */
    public Path writePublic(Path dir) throws IOException {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(name), publicPem());
    }
  }

  private static final Map<String, TestKey> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A 2048-bit RSA key generated once per JVM per name. */
  public static TestKey key(String name) {
    return KEYS.computeIfAbsent(name, n -> {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new TestKey(n, g.generateKeyPair());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public static String pem(PublicKey k) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(k.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  /** One tar entry to write. */
  public record Entry(String name, byte[] content, char type, String linkTarget, Map<String, String> pax) {
    public static Entry file(String name, String content) {
      return new Entry(name, content.getBytes(StandardCharsets.UTF_8), 'f', "", Map.of());
    }

    public static Entry dir(String name) {
      return new Entry(name, new byte[0], 'd', "", Map.of());
    }

    public static Entry symlink(String name, String target) {
      return new Entry(name, new byte[0], 'l', target, Map.of());
    }
  }

  /** Builds one package. Mutable builder: each setter returns this. */
  public static final class Apk {
    private final Map<String, List<String>> pkginfo = new LinkedHashMap<>();
    private final List<Entry> data = new ArrayList<>();
    private final List<Entry> extraControl = new ArrayList<>();
    private boolean withPkgInfo = true;
    private boolean withChecksums = true;
    private boolean withDatahash = true;
    private String pkginfoOverride;
    private TestKey signer;
    private String sigAlgorithm = "RSA256";
    private int dataChunk;

    public Apk(String name, String version, String arch) {
      set("pkgname", name);
      set("pkgver", version);
      set("arch", arch);
      set("pkgdesc", "test package " + name);
      set("license", "MIT");
      set("size", "0");
    }

    public Apk set(String key, String value) {
      pkginfo.put(key, new ArrayList<>(List.of(value)));
      return this;
    }

    public Apk add(String key, String value) {
      pkginfo.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      return this;
    }

    public Apk depend(String... deps) {
      for (String d : deps) {
        add("depend", d);
      }
      return this;
    }

    public Apk provides(String... p) {
      for (String d : p) {
        add("provides", d);
      }
      return this;
    }

    public Apk file(String path, String content) {
      data.add(Entry.file(path, content));
      return this;
    }

    public Apk entry(Entry e) {
      data.add(e);
      return this;
    }

    public Apk controlEntry(Entry e) {
      extraControl.add(e);
      return this;
    }

    public Apk noPkgInfo() {
      withPkgInfo = false;
      return this;
    }

    public Apk noChecksums() {
      withChecksums = false;
      return this;
    }

    public Apk noDatahash() {
      withDatahash = false;
      return this;
    }

    /** Replaces the .PKGINFO text entirely (datahash not added). */
    public Apk rawPkgInfo(String text) {
      pkginfoOverride = text;
      return this;
    }

    /**
     * Writes the data tar as several gzip members of {@code chunk} uncompressed bytes each (as some real packages
     * are made); the datahash covers them all.
     */
    public Apk dataMembers(int chunk) {
      dataChunk = chunk;
      return this;
    }

    public Apk signedBy(TestKey key, String algorithm) {
      signer = key;
      sigAlgorithm = algorithm;
      return this;
    }

    public Apk signedBy(TestKey key) {
      return signedBy(key, "RSA256");
    }

    /** The three streams, separately (signature empty when unsigned). */
    public Streams streams() throws IOException {
      List<Entry> dataEntries = new ArrayList<>();
      for (Entry e : data) {
        if (withChecksums && e.type() == 'f') {
          Map<String, String> pax = new LinkedHashMap<>(e.pax());
          pax.put("APK-TOOLS.checksum.SHA1", HexFormat.of().formatHex(sha("SHA-1", e.content())));
          dataEntries.add(new Entry(e.name(), e.content(), e.type(), e.linkTarget(), pax));
        } else {
          dataEntries.add(e);
        }
      }
      byte[] dataTar = tar(dataEntries, true);
      byte[] dataGz;
      if (dataChunk > 0) {
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        for (int i = 0; i < dataTar.length; i += dataChunk) {
          members.writeBytes(gzip(java.util.Arrays.copyOfRange(dataTar, i, Math.min(dataTar.length, i + dataChunk))));
        }
        dataGz = members.toByteArray();
      } else {
        dataGz = gzip(dataTar);
      }
      StringBuilder pi = new StringBuilder("# Generated by bitproof test fixtures\n");
      pkginfo.forEach((k, vs) -> vs.forEach(v -> pi.append(k).append(" = ").append(v).append('\n')));
      if (withDatahash) {
        pi.append("datahash = ").append(HexFormat.of().formatHex(sha("SHA-256", dataGz))).append('\n');
      }
      List<Entry> control = new ArrayList<>();
      if (withPkgInfo) {
        control.add(new Entry(".PKGINFO", (pkginfoOverride != null ? pkginfoOverride : pi.toString()).getBytes(StandardCharsets.UTF_8), 'f', "", Map.of()));
      }
      control.addAll(extraControl);
      byte[] controlGz = gzip(tar(control, false));
      byte[] sigGz = new byte[0];
      if (signer != null) {
        sigGz = signatureStream(signer, sigAlgorithm, controlGz);
      }
      return new Streams(sigGz, controlGz, dataGz);
    }

    public byte[] build() throws IOException {
      return streams().concat();
    }

    public Path write(Path dir) throws IOException {
      Files.createDirectories(dir);
      String name = pkginfo.get("pkgname").get(0) + "-" + pkginfo.get("pkgver").get(0) + ".apk";
      return Files.write(dir.resolve(name), build());
    }
  }

  /** The gzip streams of a package. */
  public record Streams(byte[] signature, byte[] control, byte[] data) {
    public byte[] concat() {
      return ApkFixtures.concat(signature, control, data);
    }
  }

  /** A signature gzip stream over {@code signed} ({@code .SIGN.<alg>.<key name>}, no end-of-archive blocks). */
  public static byte[] signatureStream(TestKey key, String algorithm, byte[] signed) throws IOException {
    String jca = switch (algorithm) {
      case "RSA" -> "SHA1withRSA";
      case "RSA256" -> "SHA256withRSA";
      case "RSA512" -> "SHA512withRSA";
      default -> throw new IllegalArgumentException(algorithm);
    };
    try {
      Signature s = Signature.getInstance(jca);
      s.initSign(key.privateKey());
      s.update(signed);
      return gzip(tar(List.of(new Entry(".SIGN." + algorithm + "." + key.name(), s.sign(), 'f', "", Map.of())), false));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An APKINDEX.tar.gz with the given text, signed by {@code key} when not null. */
  public static byte[] index(String apkindexText, TestKey key, String algorithm) throws IOException {
    byte[] body = gzip(tar(List.of(Entry.file("DESCRIPTION", "bitproof test repository"),
        new Entry("APKINDEX", apkindexText.getBytes(StandardCharsets.UTF_8), 'f', "", Map.of())), true));
    if (key == null) {
      return body;
    }
    return concat(signatureStream(key, algorithm, body), body);
  }

  /** An APKINDEX stanza for a built package. */
  public static String stanza(byte[] apk, dev.bitproof.apk.ApkPackage p) {
    StringBuilder sb = new StringBuilder();
    sb.append("C:").append(p.checksum()).append('\n');
    sb.append("P:").append(p.name()).append('\n');
    sb.append("V:").append(p.version()).append('\n');
    sb.append("A:").append(p.pkgInfo().arch()).append('\n');
    sb.append("S:").append(apk.length).append('\n');
    sb.append("I:").append(p.pkgInfo().installedSize()).append('\n');
    sb.append("T:").append(p.pkgInfo().description()).append('\n');
    sb.append("L:").append(p.pkgInfo().license()).append('\n');
    if (!p.pkgInfo().depends().isEmpty()) {
      sb.append("D:").append(String.join(" ", p.pkgInfo().depends())).append('\n');
    }
    if (!p.pkgInfo().provides().isEmpty()) {
      sb.append("p:").append(String.join(" ", p.pkgInfo().provides())).append('\n');
    }
    if (p.pkgInfo().providerPriority() != 0) {
      sb.append("k:").append(p.pkgInfo().providerPriority()).append('\n');
    }
    return sb.append('\n').toString();
  }

  /** A tar; {@code endBlocks=false} cuts the two zero end-of-archive records as abuild does for signature and control. */
  public static byte[] tar(List<Entry> entries, boolean endBlocks) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    long kept;
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry te = switch (e.type()) {
          case 'd' -> new TarArchiveEntry(e.name().endsWith("/") ? e.name() : e.name() + "/", TarArchiveEntry.LF_DIR, true);
          case 'l' -> {
            TarArchiveEntry x = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK, true);
            x.setLinkName(e.linkTarget());
            yield x;
          }
          default -> new TarArchiveEntry(e.name(), true);
        };
        te.setModTime(0);
        te.setUserName("root");
        te.setGroupName("root");
        te.setMode(e.type() == 'd' ? 040755 : e.type() == 'l' ? 0120777 : 0100644);
        if (e.type() == 'f') {
          te.setSize(e.content().length);
        }
        e.pax().forEach(te::addPaxHeader);
        t.putArchiveEntry(te);
        if (e.type() == 'f') {
          t.write(e.content());
        }
        t.closeArchiveEntry();
      }
      t.flush();
      kept = bos.size();
      t.finish();
    }
    byte[] all = bos.toByteArray();
    return endBlocks ? all : java.util.Arrays.copyOf(all, (int) kept);
  }

  public static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
      g.write(b);
    }
    return bos.toByteArray();
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bos.writeBytes(p);
    }
    return bos.toByteArray();
  }

  public static byte[] sha(String alg, byte[] b) {
    try {
      return MessageDigest.getInstance(alg).digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
