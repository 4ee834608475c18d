package dev.bitproof.cli.options;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Whether stdout and stderr are terminals: read once by {@code Main.main} from the process, and "neither" for
 * {@code Main.run} with captured writers (tests), which may pass their own. Decides the redrawn progress line and
 * {@code --color auto}; nothing in core sees it.
 */
public record Terminal(boolean stdout, boolean stderr) {
  public static final Terminal NONE = new Terminal(false, false);

  private static final ThreadLocal<Terminal> CURRENT = new ThreadLocal<>();

  public static Terminal current() {
    Terminal t = CURRENT.get();
    return t != null ? t : NONE;
  }

  /** Runs {@code body} on this thread with {@code t} as the terminal facts. */
  public static <T> T with(Terminal t, Callable<T> body) throws Exception {
    Terminal before = CURRENT.get();
    CURRENT.set(t);
    try {
      return body.call();
    } finally {
      if (before == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(before);
      }
    }
  }

  /** The process's own descriptors: {@code /proc/self/fd/N} naming a tty (Linux), else the JDK's console. */
  public static Terminal detect() {
    boolean console = System.console() != null;
    return new Terminal(isTty(1).orElse(console), isTty(2).orElse(console));
  }

  private static java.util.Optional<Boolean> isTty(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return java.util.Optional.of(target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
          || target.equals("/dev/console"));
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return java.util.Optional.empty();
    }
  }
}
