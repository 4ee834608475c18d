package dev.bitproof.hook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may post events: a bearer token (what distribution's {@code notifications.endpoints[].headers} can send) and/or
 * an HMAC-SHA256 over the body, {@code X-Bitproof-Signature: t=<unix seconds>,v1=<hex>} signing {@code t + "." + body}.
 * A signed request older than the window, or one whose signature was already seen in it, is a replay.
 */
public final class EventAuth {
  public static final String SIGNATURE_HEADER = "X-Bitproof-Signature";
  public static final long WINDOW_SECONDS = 300;
  private static final int MAX_SEEN = 100_000;

  public enum Verdict { OK, UNAUTHORIZED, REPLAYED }

  private final Optional<byte[]> bearer;
  private final Optional<byte[]> hmacKey;
  private final Clock clock;
  private final Map<String, Long> seen = new LinkedHashMap<>();

  public EventAuth(Optional<String> bearerToken, Optional<byte[]> hmacKey, Clock clock) {
    this.bearer = bearerToken.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
    this.hmacKey = hmacKey.map(byte[]::clone);
    this.clock = clock;
  }

  public boolean required() {
    return bearer.isPresent() || hmacKey.isPresent();
  }

  /** Checks a bearer {@code Authorization} header alone (reads of the results API). */
  public boolean bearerOk(String authorization) {
    return bearer.isEmpty() || (authorization != null
        && MessageDigest.isEqual(bearer.get(), authorization.getBytes(StandardCharsets.UTF_8)));
  }

  public Verdict check(String authorization, String signature, byte[] body) {
    if (!required()) {
      return Verdict.OK;
    }
    if (authorization != null && bearer.isPresent()) {
      return bearerOk(authorization) ? Verdict.OK : Verdict.UNAUTHORIZED;
    }
    if (signature == null || hmacKey.isEmpty()) {
      return Verdict.UNAUTHORIZED;
    }
    long t = -1;
    String v1 = null;
    for (String part : signature.split(",")) {
      String p = part.strip();
      if (p.startsWith("t=")) {
        try {
          t = Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return Verdict.UNAUTHORIZED;
        }
      } else if (p.startsWith("v1=")) {
        v1 = p.substring(3);
      }
    }
    if (t < 0 || v1 == null || !MessageDigest.isEqual(sign(hmacKey.get(), t, body).getBytes(StandardCharsets.US_ASCII),
        v1.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      return Verdict.UNAUTHORIZED;
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - t) > WINDOW_SECONDS) {
      return Verdict.REPLAYED;
    }
    synchronized (seen) {
      for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Long> e = it.next();
        if (e.getValue() >= now - WINDOW_SECONDS && seen.size() < MAX_SEEN) {
          break;
        }
        it.remove();
      }
      if (seen.putIfAbsent(v1, t) != null) {
        return Verdict.REPLAYED;
      }
    }
    return Verdict.OK;
  }

  /** The {@code v1} value for a body signed at {@code t} (unix seconds). */
  public static String sign(byte[] key, long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
