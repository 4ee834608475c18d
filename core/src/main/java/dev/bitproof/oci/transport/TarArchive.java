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
  /** Members are read with positional reads on one channel: several blobs can stream at once (TarFile's are not safe). */
  private java.nio.channels.FileChannel channel;

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

  /** The member's bytes; safe to call from several threads, each stream read by one. */
  InputStream open(TarArchiveEntry e) throws IOException {
    if (e.isSparse() || e.getDataOffset() < 0) {
      synchronized (this) {
        return tar.getInputStream(e);
      }
    }
    return new Slice(channel(), e.getDataOffset(), e.getSize());
  }

  private synchronized java.nio.channels.FileChannel channel() throws IOException {
    if (channel == null) {
      channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
    }
    return channel;
  }

  /** {@code size} bytes of a file from {@code offset}, by positional reads (no shared position between readers). */
  private static final class Slice extends InputStream {
    private final java.nio.channels.FileChannel ch;
    private long pos;
    private final long end;

    Slice(java.nio.channels.FileChannel ch, long offset, long size) {
      this.ch = ch;
      this.pos = offset;
      this.end = offset + size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= end) {
        return -1;
      }
      int n = ch.read(java.nio.ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
      if (n < 0) {
        throw new java.io.EOFException("archive ends inside a member");
      }
      pos += n;
      return n;
    }
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
    try {
      tar.close();
    } finally {
      synchronized (this) {
        if (channel != null) {
          channel.close();
        }
      }
    }
  }

  /**
   * Writes a reproducible tar (fixed owner, mode and time; headers as commons-compress writes them) through positional
   * writes on one file channel. Members are appended in call order; a member can also be {@link #reserve reserved}
   * ahead (its header position follows from the sizes before it), so several blobs can stream into one archive at
   * once, each at its own offset, with no staging copy.
   */
  static final class Writer implements Closeable {
    private static final int BLOCK = 512;
    private static final int RECORD = 10240;
    /** ustar's octal size field holds less than 8 GiB; larger members need a pax header (appended, not reserved). */
    private static final long MAX_USTAR_SIZE = 077777777777L;
    private final java.nio.channels.FileChannel ch;
    private long end;

    Writer(java.nio.channels.FileChannel ch) {
      this.ch = ch;
    }

    /** Can {@code name}/{@code size} get a plain ustar header (what {@link #reserve} writes)? */
    static boolean reservable(String name, long size) {
      return name.length() < 100 && size <= MAX_USTAR_SIZE && name.chars().allMatch(c -> c > 0 && c < 128);
    }

    /** Reserves room for a member written later (from any thread) with {@link Slot#write}. */
    synchronized Slot reserve(String name, long size) {
      if (!reservable(name, size)) {
        throw new IllegalArgumentException("needs a pax header: " + name);
      }
      Slot slot = new Slot(name, size, end);
      end += BLOCK + padded(size);
      return slot;
    }

    void add(String name, byte[] content) throws IOException {
      add(name, content.length, new java.io.ByteArrayInputStream(content));
    }

    /** Appends a member whose {@code size} bytes come from {@code in} (which must hold exactly that many). */
    void add(String name, long size, InputStream in) throws IOException {
      if (reservable(name, size)) {
        reserve(name, size).write(in);
        return;
      }
      // a long or non-ASCII name, or over 8 GiB: let commons-compress write the pax headers into a buffer first
      java.io.ByteArrayOutputStream headers = new java.io.ByteArrayOutputStream();
      TarArchiveOutputStream t = new TarArchiveOutputStream(headers, BLOCK);
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      t.setAddPaxHeadersForNonAsciiNames(true);
      t.putArchiveEntry(TarEntries.file(name, size));
      t.flush();
      byte[] h = headers.toByteArray();
      long at;
      synchronized (this) {
        at = end;
        end += h.length + padded(size);
      }
      writeFully(java.nio.ByteBuffer.wrap(h), at);
      writeData(in, size, at + h.length, name);
    }

    @Override
    public synchronized void close() throws IOException {
      // two zero blocks end the archive; the file is padded to whole 10 KiB records as tar writers do
      long total = end + 2L * BLOCK;
      total = (total + RECORD - 1) / RECORD * RECORD;
      writeFully(java.nio.ByteBuffer.allocate((int) (total - end)), end);
      end = total;
      ch.close();
    }

    private static long padded(long size) {
      return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private void writeFully(java.nio.ByteBuffer b, long at) throws IOException {
      long pos = at;
      while (b.hasRemaining()) {
        pos += ch.write(b, pos);
      }
    }

    /** Copies exactly {@code size} bytes of {@code in} to {@code at}, zero-pads the last block, reads {@code in} to its end. */
    private void writeData(InputStream in, long size, long at, String name) throws IOException {
      byte[] buf = new byte[(int) Math.min(dev.bitproof.io.VerifyingInputStream.BUFFER, Math.max(size, 1))];
      long left = size;
      long pos = at;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new java.io.EOFException(name + ": stream shorter than " + size);
        }
        writeFully(java.nio.ByteBuffer.wrap(buf, 0, n), pos);
        pos += n;
        left -= n;
      }
      // reading to the end lets a verifying stream check size and digest before the member counts as written
      if (in.read() >= 0) {
        throw new IllegalStateException("stream longer than " + size);
      }
      int pad = (int) (padded(size) - size);
      if (pad > 0) {
        writeFully(java.nio.ByteBuffer.allocate(pad), pos);
      }
    }

    /** Room for one member at a fixed offset: header, then data, then zero padding. */
    final class Slot {
      private final String name;
      private final long size;
      private final long offset;

      private Slot(String name, long size, long offset) {
        this.name = name;
        this.size = size;
        this.offset = offset;
      }

      void write(InputStream in) throws IOException {
        byte[] header = new byte[BLOCK];
        TarEntries.file(name, size).writeEntryHeader(header);
        writeFully(java.nio.ByteBuffer.wrap(header), offset);
        writeData(in, size, offset + BLOCK, name);
      }
    }
  }
}
