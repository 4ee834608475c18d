package dev.bitproof.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code /etc/passwd} and {@code /etc/group}, parsed leniently: malformed lines are counted and skipped. */
public record Accounts(List<User> users, List<Group> groups, int malformedLines) {
  public record User(String name, long uid, long gid, String home, String shell) {}

  public record Group(String name, long gid) {}

  /** Largest uid/gid Linux accepts (uid_t is 32 bits; -1 is reserved). */
  public static final long MAX_ID = 0xFFFF_FFFEL;
  private static final int MAX_LINES = 100_000;

  public static Accounts parse(Optional<byte[]> passwd, Optional<byte[]> group) {
    List<User> users = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    int bad = 0;
    for (String line : lines(passwd)) {
      String[] f = line.split(":", -1);
      Optional<Long> uid = f.length == 7 ? id(f[2]) : Optional.empty();
      Optional<Long> gid = f.length == 7 ? id(f[3]) : Optional.empty();
      if (f.length != 7 || f[0].isEmpty() || uid.isEmpty() || gid.isEmpty()) {
        bad++;
        continue;
      }
      users.add(new User(f[0], uid.get(), gid.get(), f[5], f[6]));
    }
    for (String line : lines(group)) {
      String[] f = line.split(":", -1);
      Optional<Long> gid = f.length == 4 ? id(f[2]) : Optional.empty();
      if (f.length != 4 || f[0].isEmpty() || gid.isEmpty()) {
        bad++;
        continue;
      }
      groups.add(new Group(f[0], gid.get()));
    }
    return new Accounts(List.copyOf(users), List.copyOf(groups), bad);
  }

  private static List<String> lines(Optional<byte[]> b) {
    if (b.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String l : new String(b.get(), StandardCharsets.UTF_8).split("\n")) {
      if (out.size() >= MAX_LINES) {
        break;
      }
      String t = l.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        out.add(t);
      }
    }
    return out;
  }

  /** A decimal id in range, or empty. */
  public static Optional<Long> id(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    long v = Long.parseLong(s);
    return v <= MAX_ID ? Optional.of(v) : Optional.empty();
  }

  public Optional<User> user(String name) {
    return users.stream().filter(u -> u.name().equals(name)).findFirst();
  }

  public Optional<User> userById(long uid) {
    return users.stream().filter(u -> u.uid() == uid).findFirst();
  }

  public Optional<Group> group(String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  public Optional<Group> groupById(long gid) {
    return groups.stream().filter(g -> g.gid() == gid).findFirst();
  }
}
