package dev.bitproof.cli.options;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The process environment, read only here and in the option mixins that turn it into values (proxy variables,
 * {@code XDG_CACHE_HOME}, {@code SOURCE_DATE_EPOCH}). Tests run the CLI under an environment of their own with
 * {@link #with}; core never sees the environment, only the values made from it.
 */
public final class Environment {
  private static final ThreadLocal<Map<String, String>> OVERRIDE = new ThreadLocal<>();

  private Environment() {}

  public static Map<String, String> get() {
    Map<String, String> m = OVERRIDE.get();
    return m != null ? m : System.getenv();
  }

  /** Runs {@code body} on this thread with {@code env} as the whole environment. */
  public static <T> T with(Map<String, String> env, Callable<T> body) throws Exception {
    Map<String, String> before = OVERRIDE.get();
    OVERRIDE.set(Map.copyOf(env));
    try {
      return body.call();
    } finally {
      if (before == null) {
        OVERRIDE.remove();
      } else {
        OVERRIDE.set(before);
      }
    }
  }
}
