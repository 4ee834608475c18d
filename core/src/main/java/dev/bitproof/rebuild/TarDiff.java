package dev.bitproof.rebuild;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Says where two uncompressed layer tars differ: the first entry whose name, header fields or content differ,
 * or the byte offset when the entries agree but the bytes do not (header encoding, padding, trailer).
 */
public final class TarDiff {
  private TarDiff() {}

  /** Empty when the tars are byte-identical. */
  public static Optional<String> firstDifference(byte[] expected, byte[] actual) throws IOException {
    if (java.util.Arrays.equals(expected, actual)) {
      return Optional.empty();
    }
    List<String[]> a = entries(expected);
    List<String[]> b = entries(actual);
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      String[] x = a.get(i);
      String[] y = b.get(i);
      if (!x[0].equals(y[0])) {
        return Optional.of("entry #" + i + ": expected " + x[0] + ", found " + y[0]);
      }
      String[] fields = {"entry", "name", "type", "mode", "uid", "gid", "uname", "gname", "size", "mtime", "linkname",
          "devmajor", "devminor", "pax", "content-sha256"};
      for (int f = 1; f < fields.length; f++) {
        if (!x[f].equals(y[f])) {
          return Optional.of(x[0] + ": " + fields[f] + " expected " + x[f] + ", found " + y[f]);
        }
      }
    }
    if (a.size() != b.size()) {
      String extra = a.size() > b.size() ? "missing " + a.get(b.size())[0] : "unexpected " + b.get(a.size())[0];
      return Optional.of("entry count " + a.size() + " vs " + b.size() + ": " + extra);
    }
    int off = java.util.Arrays.mismatch(expected, actual);
    return Optional.of("entries agree but bytes differ at offset " + off + " (block " + (off / 512)
        + "; sizes " + expected.length + " vs " + actual.length + ")");
  }

  private static List<String[]> entries(byte[] tar) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        byte[] content = in.readAllBytes();
        out.add(new String[] {e.getName(), e.getName(), String.valueOf((char) e.getLinkFlag()),
            Integer.toOctalString(e.getMode()), String.valueOf(e.getLongUserId()), String.valueOf(e.getLongGroupId()),
            e.getUserName(), e.getGroupName(), String.valueOf(e.getSize()),
            String.valueOf(e.getLastModifiedTime().toInstant().getEpochSecond()), e.getLinkName(),
            String.valueOf(e.getDevMajor()), String.valueOf(e.getDevMinor()),
            new java.util.TreeMap<>(e.getExtraPaxHeaders()).toString(),
            dev.bitproof.oci.Digest.sha256(content).hex()});
      }
    }
    return out;
  }
}
