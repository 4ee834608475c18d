package dev.bitproof.oci.transport;

import dev.bitproof.io.LimitedInputStream;
import dev.bitproof.report.CheckException;
import dev.bitproof.report.Code;
import dev.bitproof.tar.TarEntries;
import dev.bitproof.tar.TarPaths;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * An image archive (oci-archive, docker-archive) opened for random access: the headers are indexed once, a member
 * is read only when asked for, so reading a manifest never reads a layer. Member names are untrusted: they are
 * normalized and {@code ..} is refused; symlinks between members (old {@code docker save} output) are followed
 * inside the archive only.
 */
final class TarArchive implements Closeable {
  static final int MAX_ENTRIES = 100_000;
  private static final int MAX_LINK_HOPS = 8;

  private final Path file;
  private final TarFile tar;
  private final Map<String, TarArchiveEntry> entries = new HashMap<>();

  private TarArchive(Path file, TarFile tar) {
    this.file = file;
    this.tar = tar;
  }

  static TarArchive open(Path file) throws IOException {
    dev.bitproof.io.UserFiles.requireFile(file, TransportCode.ARCHIVE_NOT_FOUND);
    TarFile tar;
    try {
      tar = new TarFile(file);
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckException(TransportCode.ARCHIVE_INVALID, file.toString(), "not a readable tar archive: " + e.getMessage(), e);
    }
    TarArchive a = new TarArchive(file, tar);
    List<TarArchiveEntry> all = tar.getEntries();
    if (all.size() > MAX_ENTRIES) {
      a.close();
      throw new CheckException(TransportCode.ARCHIVE_INVALID, file.toString(), "more than " + MAX_ENTRIES + " members");
    }
    for (TarArchiveEntry e : all) {
      if (e.isDirectory()) {
        continue;
      }
      String name = TarPaths.normalize(e.getName(), file.toString());
      if (a.entries.put(name, e) != null) {
        a.close();
        throw CheckException.integrity(TransportCode.ARCHIVE_INVALID, file + ":" + name, "member appears twice");
      }
    }
    return a;
  }

  Path file() {
    return file;
  }

  /**
   * A path named by the archive's own metadata ({@code manifest.json} Layers/Config): must be relative and must
   * not climb out with {@code ..}; {@code ARCHIVE_PATH_INVALID} otherwise.
   */
  static String checkedMemberPath(String p, String subject) {
    if (p == null || p.isEmpty() || p.startsWith("/") || p.indexOf('\0') >= 0 || p.contains("\\")) {
      throw CheckException.integrity(TransportCode.ARCHIVE_PATH_INVALID, subject, "path '" + p + "' must be relative and plain");
    }
    for (String part : p.split("/")) {
      if (part.equals("..")) {
        throw CheckException.integrity(TransportCode.ARCHIVE_PATH_INVALID, subject, "path '" + p + "' escapes the archive with ..");
      }
    }
    return TarPaths.normalize(p, subject);
  }

  /** The regular-file member a name leads to, following in-archive symlinks. */
  Optional<TarArchiveEntry> find(String name) {
    String n = name;
    for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      TarArchiveEntry e = entries.get(n);
      if (e == null) {
        return Optional.empty();
      }
      if (e.isSymbolicLink()) {
        String target = e.getLinkName();
        n = target.startsWith("/") ? TarPaths.normalize(target, file.toString())
            : TarPaths.resolveLink(n, target);
        continue;
      }
      if (e.isLink()) {
        n = TarPaths.normalize(e.getLinkName(), file.toString());
        continue;
      }
      if (!e.isFile()) {
        throw CheckException.integrity(TransportCode.ARCHIVE_INVALID, file + ":" + name, "member is not a regular file");
      }
      return Optional.of(e);
    }
    throw CheckException.integrity(TransportCode.ARCHIVE_INVALID, file + ":" + name, "symlinks nested deeper than " + MAX_LINK_HOPS);
  }

  boolean has(String name) {
    return find(name).isPresent();
  }

  TarArchiveEntry require(String name, Code code) {
    return find(name).orElseThrow(() -> new CheckException(code, file + ":" + name, "member missing from the archive"));
  }

  InputStream open(TarArchiveEntry e) throws IOException {
    return tar.getInputStream(e);
  }

  byte[] readSmall(String name, long limit, Code missingCode, Code tooLargeCode) throws IOException {
    TarArchiveEntry e = require(name, missingCode);
    if (e.getSize() > limit) {
      throw new CheckException(tooLargeCode, file + ":" + name, e.getSize() + " bytes is over the " + limit + "-byte limit");
    }
    try (InputStream in = open(e)) {
      return LimitedInputStream.readAll(in, limit, tooLargeCode, file + ":" + name);
    }
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /** Writes a reproducible tar: fixed owner, mode and time, members in the order given. */
  static final class Writer implements Closeable {
    private final TarArchiveOutputStream out;

    Writer(OutputStream os) {
      out = new TarArchiveOutputStream(os);
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      out.setAddPaxHeadersForNonAsciiNames(true);
    }

    void add(String name, byte[] content) throws IOException {
      TarArchiveEntry e = TarEntries.file(name, content.length);
      out.putArchiveEntry(e);
      out.write(content);
      out.closeArchiveEntry();
    }

    /** A member whose {@code size} bytes come from {@code in} (which must hold exactly that many). */
    void add(String name, long size, InputStream in) throws IOException {
      out.putArchiveEntry(TarEntries.file(name, size));
      byte[] buf = new byte[65536];
      long left = size;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
      // reading to the end lets a verifying stream check size and digest before the entry is closed
      if (in.read() >= 0) {
        throw new IllegalStateException("stream longer than " + size);
      }
      out.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
      out.finish();
      out.close();
    }
  }
}
