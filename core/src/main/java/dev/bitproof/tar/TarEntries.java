package dev.bitproof.tar;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** Headers for the archives bitproof writes itself (image archives, apko's tarball), identical on every run. */
public final class TarEntries {
  private TarEntries() {}

  /** A regular file, mode 0644, owned by 0:0 with no names, mtime 0: the header go-containerregistry writes. */
  public static TarArchiveEntry file(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(size);
    e.setMode(0100644);
    e.setModTime(0);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }
}
