package dev.bitproof.fetch;

import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The standard proxy environment as Go's {@code net/http} (and so apko) reads it ({@code golang.org/x/net/http/httpproxy}):
 * {@code HTTPS_PROXY} for https URLs, {@code HTTP_PROXY} for http URLs (upper case first, then lower case), a value
 * without a scheme means {@code http://}; {@code NO_PROXY} is a comma list of host names (matching the host and its
 * subdomains; a leading {@code .} or {@code *.} matches subdomains only), IP addresses, CIDR ranges, each optionally
 * with {@code :port}, or {@code *} for everything. Like Go, {@code localhost} and loopback addresses never go through
 * the proxy, unless {@code NO_PROXY} contains Chromium's {@code <-loopback>} token, which removes that implicit bypass.
 *
 * <p>A value, never read from the process here: the CLI passes its environment to {@link #fromEnvironment}.
 */
public record ProxyConfig(Optional<URI> httpsProxy, Optional<URI> httpProxy, String noProxy) {
  public static final String NO_LOOPBACK_BYPASS = "<-loopback>";

  public ProxyConfig {
    httpsProxy = httpsProxy == null ? Optional.empty() : httpsProxy;
    httpProxy = httpProxy == null ? Optional.empty() : httpProxy;
    noProxy = noProxy == null ? "" : noProxy;
  }

  public static ProxyConfig none() {
    return new ProxyConfig(Optional.empty(), Optional.empty(), "");
  }

  /** From an environment map (upper-case names win over lower-case ones, as in Go). */
  public static ProxyConfig fromEnvironment(Map<String, String> env) {
    return new ProxyConfig(parse(any(env, "HTTPS_PROXY", "https_proxy"), "HTTPS_PROXY"),
        parse(any(env, "HTTP_PROXY", "http_proxy"), "HTTP_PROXY"), any(env, "NO_PROXY", "no_proxy"));
  }

  public boolean isEmpty() {
    return httpsProxy.isEmpty() && httpProxy.isEmpty();
  }

  private static String any(Map<String, String> env, String upper, String lower) {
    String v = env.get(upper);
    if (v == null || v.isEmpty()) {
      v = env.get(lower);
    }
    return v == null ? "" : v.strip();
  }

  static Optional<URI> parse(String value, String name) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value;
    // Go: a value that does not parse with a scheme it knows is retried as http://VALUE
    if (!v.contains("://")) {
      v = "http://" + v;
    }
    URI u;
    try {
      u = new URI(v);
    } catch (URISyntaxException e) {
      throw CheckException.usage(FetchCode.FETCH_PROXY_INVALID, name + " is not a proxy URL: '" + value + "' (" + e.getReason() + ")");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw CheckException.usage(FetchCode.FETCH_PROXY_INVALID, name + "='" + value + "': only http:// proxies are supported"
          + (scheme.equals("https") || scheme.startsWith("socks") ? " (not " + scheme + "://)" : ""));
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw CheckException.usage(FetchCode.FETCH_PROXY_INVALID, name + "='" + value + "' names no host");
    }
    if (u.getRawUserInfo() != null) {
      throw CheckException.usage(FetchCode.FETCH_PROXY_INVALID, name + " carries credentials; proxy authentication is not "
          + "supported (use a proxy that allows this client, or NO_PROXY)");
    }
    return Optional.of(u);
  }

  /** The proxy for this URL, or empty for a direct connection. */
  public Optional<URI> proxyFor(URI target) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    Optional<URI> p = scheme.equals("https") ? httpsProxy : scheme.equals("http") ? httpProxy : Optional.empty();
    if (p.isEmpty()) {
      return p;
    }
    String host = target.getHost() == null ? "" : target.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = target.getPort() >= 0 ? target.getPort() : scheme.equals("https") ? 443 : 80;
    return useProxy(host, port) ? p : Optional.empty();
  }

  private boolean useProxy(String host, int port) {
    if (host.isEmpty()) {
      return true;
    }
    List<String> entries = new ArrayList<>();
    boolean loopbackBypass = true;
    for (String e : noProxy.split(",")) {
      String s = e.strip().toLowerCase(Locale.ROOT);
      if (s.equals(NO_LOOPBACK_BYPASS)) {
        loopbackBypass = false;
      } else if (!s.isEmpty()) {
        entries.add(s);
      }
    }
    byte[] ip = literalIp(host);
    if (loopbackBypass && (host.equals("localhost") || (ip != null && isLoopback(ip)))) {
      return false;
    }
    for (String s : entries) {
      if (s.equals("*")) {
        return false;
      }
      if (s.contains("/")) {
        if (ip != null && inCidr(ip, s)) {
          return false;
        }
        continue;
      }
      String h = s;
      int p = -1;
      int colon = s.lastIndexOf(':');
      if (colon > 0 && s.indexOf(':') == colon && !s.endsWith("]")) {
        h = s.substring(0, colon);
        try {
          p = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException ex) {
          continue;
        }
      } else if (s.startsWith("[") && s.contains("]:")) {
        h = s.substring(1, s.indexOf(']'));
        try {
          p = Integer.parseInt(s.substring(s.indexOf("]:") + 2));
        } catch (NumberFormatException ex) {
          continue;
        }
      }
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (p >= 0 && p != port) {
        continue;
      }
      byte[] eip = literalIp(h);
      if (eip != null) {
        if (ip != null && java.util.Arrays.equals(eip, ip)) {
          return false;
        }
        continue;
      }
      if (h.startsWith("*.")) {
        h = h.substring(1);
      }
      if (h.startsWith(".")) {
        if (host.endsWith(h)) {
          return false;
        }
      } else if (host.equals(h) || host.endsWith("." + h)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLoopback(byte[] ip) {
    try {
      return InetAddress.getByAddress(ip).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** The address bytes of an IP literal, or null for a host name (no DNS lookup). */
  static byte[] literalIp(String s) {
    if (s.isEmpty()) {
      return null;
    }
    boolean v4 = s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') && s.chars().filter(c -> c == '.').count() == 3;
    boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      String[] parts = s.split("\\.");
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) {
          return null;
        }
        int n = Integer.parseInt(parts[i]);
        if (n > 255) {
          return null;
        }
        b[i] = (byte) n;
      }
      return b;
    }
    try {
      // a literal with only hex digits, colons and dots: InetAddress parses it without a lookup
      return InetAddress.getByName(s).getAddress();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean inCidr(byte[] ip, String cidr) {
    int slash = cidr.indexOf('/');
    byte[] net = literalIp(cidr.substring(0, slash));
    int bits;
    try {
      bits = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      return false;
    }
    if (net == null || net.length != ip.length || bits < 0 || bits > ip.length * 8) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((net[i / 8] & mask) != (ip[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** A {@link ProxySelector} for Java's HTTP client applying these rules. */
  public ProxySelector selector() {
    ProxyConfig self = this;
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        Optional<URI> p = self.proxyFor(uri);
        if (p.isEmpty()) {
          return List.of(Proxy.NO_PROXY);
        }
        URI u = p.get();
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(u.getHost(),
            u.getPort() >= 0 ? u.getPort() : 80)));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // reported by the request that failed
      }
    };
  }
}
