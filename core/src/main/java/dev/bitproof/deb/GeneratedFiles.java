package dev.bitproof.deb;

import java.util.List;
import dev.bitproof.io.SlashGlob;
import java.util.regex.Pattern;

/**
 * Files a Debian root filesystem legitimately has without any package owning them: made by maintainer scripts,
 * dpkg, debconf, ldconfig or the build tool (reference {@code debian.md} §5). Paths are absolute.
 */
public final class GeneratedFiles {
  /** Exact paths and prefixes ({@code /**}) with the tool that makes them. */
  private static final List<String[]> RULES = List.of(
      rule("/etc/passwd", "base-passwd postinst"), rule("/etc/group", "base-passwd postinst"),
      rule("/etc/shadow", "passwd postinst"), rule("/etc/gshadow", "passwd postinst"),
      rule("/etc/subuid", "passwd postinst"), rule("/etc/subgid", "passwd postinst"),
      rule("/etc/security/opasswd", "pam postinst"),
      rule("/etc/profile", "base-files postinst"), rule("/etc/motd", "base-files postinst"),
      rule("/etc/nsswitch.conf", "base-files postinst"), rule("/etc/fstab", "base-files postinst"),
      rule("/root/.bashrc", "base-files postinst"), rule("/root/.profile", "base-files postinst"),
      rule("/usr/share/info/dir", "base-files postinst"), rule("/var/log/wtmp", "base-files postinst"),
      rule("/var/log/btmp", "base-files postinst"), rule("/var/log/lastlog", "base-files postinst"),
      rule("/var/spool/mail", "base-files postinst"), rule("/usr/local/man", "base-files postinst"),
      rule("/etc/dpkg/origins/default", "base-files postinst"),
      rule("/etc/hosts", "netbase postinst"), rule("/etc/networks", "netbase postinst"),
      rule("/etc/timezone", "tzdata postinst"), rule("/etc/localtime", "tzdata postinst"),
      rule("/etc/ca-certificates.conf", "ca-certificates postinst"), rule("/etc/ssl/certs/**", "update-ca-certificates"),
      rule("/etc/shells", "debianutils (add-shell)"), rule("/var/lib/shells.state", "debianutils (add-shell)"),
      rule("/usr/bin/touch", "coreutils postinst (non-merged /usr)"),
      rule("/etc/alternatives/**", "update-alternatives"),
      rule("/etc/environment", "libpam-modules postinst"), rule("/etc/pam.d/common-*", "pam-auth-update"),
      rule("/var/lib/pam/**", "pam-auth-update"), rule("/etc/rc?.d/*", "update-rc.d"),
      rule("/etc/systemd/system/**", "deb-systemd-helper"),
      rule("/var/lib/systemd/deb-systemd-helper-enabled/**", "deb-systemd-helper"),
      rule("/etc/ld.so.cache", "ldconfig trigger"), rule("/var/cache/ldconfig/**", "ldconfig"),
      rule("/var/cache/debconf/**", "debconf"), rule("/var/lib/dpkg/**", "dpkg database"),
      rule("/var/lib/apt/**", "apt state"), rule("/var/cache/apt/**", "apt cache"),
      rule("/etc/apt/sources.list.d/**", "image build tool (mmdebstrap)"), rule("/etc/apt/sources.list", "image build tool"),
      rule("/etc/resolv.conf", "image build tool"), rule("/etc/hostname", "image build tool"),
      rule("/etc/machine-id", "image build tool"), rule("/var/lib/dbus/machine-id", "image build tool"),
      rule("/dev/**", "image build tool"), rule("/var/log/*.log", "package tools"));

  private static String[] rule(String glob, String why) {
    return new String[] {glob, why};
  }

  private static final List<Object[]> COMPILED = RULES.stream()
      .map(r -> new Object[] {SlashGlob.compile(r[0]), r[1]}).toList();

  private GeneratedFiles() {}

  /** Why {@code path} may exist unowned, or null when no rule explains it. */
  public static String reason(String path) {
    for (Object[] r : COMPILED) {
      if (((Pattern) r[0]).matcher(path).matches()) {
        return (String) r[1];
      }
    }
    return null;
  }
}
