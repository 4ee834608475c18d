package dev.bitproof.deb;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds .deb files in test code: ar members, tars with chosen (hostile) entries, xz/zstd/gzip compression. */
final class TestDebs {
  private TestDebs() {}

  /** An ar archive of the members in order, with raw names as given (padded to 16 bytes). */
  static byte[] ar(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ArArchive.MAGIC);
    for (Map.Entry<String, byte[]> m : members.entrySet()) {
      String h = String.format("%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.getKey(), 1700000000, 0, 0, "100644", m.getValue().length);
      out.write(h.getBytes(StandardCharsets.US_ASCII));
      out.write(m.getValue());
      if (m.getValue().length % 2 == 1) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  /** The members of an ar archive in order (names as read). */
  static Map<String, byte[]> arMembers(byte[] ar) throws IOException {
    java.nio.file.Path p = java.nio.file.Files.createTempFile("members", ".ar");
    try {
      java.nio.file.Files.write(p, ar);
      Map<String, byte[]> out = new LinkedHashMap<>();
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
        for (ArArchive.Member m : ArArchive.index(ch, "x")) {
          out.put(m.name(), ArArchive.open(ch, m).readAllBytes());
        }
      }
      return out;
    } finally {
      java.nio.file.Files.delete(p);
    }
  }

  /** A tar entry to write: a file (content), a symlink (link), or a hardlink (hardlink). */
  record Entry(String name, byte[] content, String link, boolean hard) {
    static Entry file(String name, String content) {
      return new Entry(name, content.getBytes(StandardCharsets.UTF_8), null, false);
    }

    static Entry file(String name, byte[] content) {
      return new Entry(name, content, null, false);
    }

    static Entry symlink(String name, String target) {
      return new Entry(name, null, target, false);
    }

    static Entry hardlink(String name, String target) {
      return new Entry(name, null, target, true);
    }

    static Entry dir(String name) {
      return new Entry(name.endsWith("/") ? name : name + "/", null, null, false);
    }
  }

  static byte[] tar(Entry... entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry te;
        if (e.content() == null && e.link() == null) {
          te = new TarArchiveEntry(e.name(), true);
          te.setMode(040755);
        } else if (e.link() != null) {
          te = new TarArchiveEntry(e.name(), e.hard() ? TarArchiveEntry.LF_LINK : TarArchiveEntry.LF_SYMLINK, true);
          te.setLinkName(e.link());
        } else {
          te = new TarArchiveEntry(e.name(), true);
          te.setSize(e.content().length);
          te.setMode(0100644);
        }
        t.putArchiveEntry(te);
        if (e.content() != null) {
          t.write(e.content());
        }
        t.closeArchiveEntry();
      }
    }
    return bos.toByteArray();
  }

  /** A tar with one regular file of {@code size} zero bytes, streamed straight into the compressor. */
  static byte[] zeroTar(String name, long size, OutputStreamFactory compressor) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream c = compressor.wrap(bos); TarArchiveOutputStream t = new TarArchiveOutputStream(c)) {
      TarArchiveEntry te = new TarArchiveEntry(name);
      te.setSize(size);
      t.putArchiveEntry(te);
      byte[] zeros = new byte[1 << 16];
      for (long left = size; left > 0; left -= zeros.length) {
        t.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
      t.closeArchiveEntry();
    }
    return bos.toByteArray();
  }

  interface OutputStreamFactory {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  static byte[] xz(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (XZOutputStream x = new XZOutputStream(bos, new LZMA2Options(1))) {
      x.write(data);
    }
    return bos.toByteArray();
  }

  static OutputStream xzStream(OutputStream out) throws IOException {
    return new XZOutputStream(out, new LZMA2Options(1));
  }

  static OutputStream zstdStream(OutputStream out) throws IOException {
    return new ZstdOutputStream(out, 3);
  }

  /** A minimal valid deb with the given data tar (uncompressed, xz'd here) and md5sums. */
  static byte[] deb(byte[] dataTarXz, String md5sums) throws IOException {
    byte[] control = xz(tar(Entry.file("./control", "Package: hostile\nVersion: 1.0-1\nArchitecture: all\n"
        + "Maintainer: Test <t@example.invalid>\nDescription: test\n"), Entry.file("./md5sums", md5sums)));
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
    m.put("control.tar.xz", control);
    m.put("data.tar.xz", dataTarXz);
    return ar(m);
  }
}
