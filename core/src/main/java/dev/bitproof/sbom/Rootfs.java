package dev.bitproof.sbom;

import dev.bitproof.io.Decompress;
import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A root filesystem given instead of an image: a tar (plain, gzip, xz or zstd, sniffed by magic) or a directory,
 * read as one layer. Each {@link #open} streams it from the start again (the layers are read twice: files and
 * package databases, then language packages).
 */
public final class Rootfs {
  private final Path path;

  private Rootfs(Path path) {
    this.path = path;
  }

  public static Rootfs of(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, path.toString(), "rootfs not found");
    }
    return new Rootfs(path);
  }

  public String name() {
    return path.toString();
  }

  /** An uncompressed tar stream of the rootfs. */
  public InputStream open() throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return directoryTar();
    }
    return Decompress.sniff(Files.newInputStream(path), Decompress.DEFAULT_MAX_OUTPUT, Decompress.DEFAULT_MAX_RATIO, name());
  }

  /** The directory as a tar, written by a helper thread into a pipe: symlinks kept as links, never followed. */
  private InputStream directoryTar() throws IOException {
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream pipe = new PipedOutputStream(in);
    Thread t = new Thread(() -> {
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(pipe); Stream<Path> walk = Files.walk(path)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
          String rel = path.relativize(p).toString().replace('\\', '/');
          if (rel.isEmpty()) {
            continue;
          }
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          TarArchiveEntry e;
          if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(rel, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
          } else if (a.isDirectory()) {
            e = new TarArchiveEntry(rel + "/");
          } else if (a.isRegularFile()) {
            e = new TarArchiveEntry(rel);
            e.setSize(a.size());
          } else {
            continue; // sockets, devices: nothing an SBOM lists
          }
          tar.putArchiveEntry(e);
          if (a.isRegularFile()) {
            try (InputStream f = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
              f.transferTo(tar);
            }
          }
          tar.closeArchiveEntry();
        }
      } catch (IOException e) {
        // the reader sees the pipe end early: a truncated tar, reported as such
      }
    }, "rootfs-tar " + path.getFileName());
    t.setDaemon(true);
    t.start();
    return in;
  }

}
