package dev.bitproof.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bitproof.report.CheckException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Go's {@code httpproxy} rules (golang.org/x/net/http/httpproxy/proxy_test.go cases), on values only. */
class ProxyConfigTest {
  private static String proxied(Map<String, String> env, String url) {
    return ProxyConfig.fromEnvironment(env).proxyFor(URI.create(url)).map(URI::toString).orElse("direct");
  }

  @Test
  void schemeSelectsTheVariableAndUpperCaseWins() {
    Map<String, String> env = Map.of("HTTPS_PROXY", "http://secure:3128", "https_proxy", "http://lower:1",
        "http_proxy", "plain:8080");
    assertEquals("http://secure:3128", proxied(env, "https://dl-cdn.alpinelinux.org/x"));
    assertEquals("http://plain:8080", proxied(env, "http://dl-cdn.alpinelinux.org/x"));
    assertEquals("http://lower:1", proxied(Map.of("https_proxy", "http://lower:1"), "https://a.example/x"));
    assertEquals("direct", proxied(Map.of(), "https://a.example/x"));
  }

  @Test
  void noProxyMatchesLikeGo() {
    Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:3128",
        "NO_PROXY", "foo.com, .bar.org, *.baz.net, 10.0.0.0/8, 192.168.1.7, quux.io:8443");
    assertEquals("direct", proxied(env, "https://foo.com/x"));
    assertEquals("direct", proxied(env, "https://www.foo.com/x"));
    assertEquals("http://p:3128", proxied(env, "https://xfoo.com/x"));
    assertEquals("http://p:3128", proxied(env, "https://bar.org/x"), "a leading dot matches subdomains only");
    assertEquals("direct", proxied(env, "https://a.bar.org/x"));
    assertEquals("direct", proxied(env, "https://a.baz.net/x"));
    assertEquals("direct", proxied(env, "https://10.1.2.3/x"));
    assertEquals("http://p:3128", proxied(env, "https://11.1.2.3/x"));
    assertEquals("direct", proxied(env, "https://192.168.1.7:5000/x"));
    assertEquals("direct", proxied(env, "https://quux.io:8443/x"));
    assertEquals("http://p:3128", proxied(env, "https://quux.io/x"), "a port in NO_PROXY matches that port only");
    assertEquals("direct", proxied(Map.of("HTTPS_PROXY", "http://p:3128", "no_proxy", "*"), "https://any.where/"));
  }

  @Test
  void loopbackIsDirectUnlessNoProxyRemovesTheBypass() {
    Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:3128");
    assertEquals("direct", proxied(env, "https://localhost:8443/x"));
    assertEquals("direct", proxied(env, "https://127.0.0.1:8443/x"));
    assertEquals("direct", proxied(env, "https://[::1]:8443/x"));
    Map<String, String> all = Map.of("HTTPS_PROXY", "http://p:3128", "NO_PROXY", "<-loopback>");
    assertEquals("http://p:3128", proxied(all, "https://127.0.0.1:8443/x"));
  }

  @Test
  void badProxyValuesAreUsageErrors() {
    for (String v : new String[] {"socks5://p:1080", "https://p:3128", "http://user:pw@p:3128", "http://"}) {
      CheckException e = assertThrows(CheckException.class, () -> ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", v)), v);
      assertEquals(FetchCode.FETCH_PROXY_INVALID, e.code());
      assertEquals(CheckException.Kind.USAGE, e.kind());
    }
    assertEquals(Optional.empty(), ProxyConfig.fromEnvironment(Map.of("HTTPS_PROXY", "")).httpsProxy());
  }
}
