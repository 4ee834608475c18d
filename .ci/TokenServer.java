// Minimal bearer-token server for docker-registry's `auth.token` (JDK only; run: java .ci/TokenServer.java PORT KEY.pk8.pem CERT.pem USER PASS).
// Issues RS256 JWTs with an x5c header holding CERT (the registry's rootcertbundle). Anonymous callers get pull
// only; callers with the right basic credentials get the actions they ask for. Loopback only; tests use the
// in-JVM twin in core/src/test/java/dev/bitproof/testing/LocalRegistry.java.
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

public class TokenServer {
  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(Path.of(a[1]))));
    String x5c = Base64.getEncoder().encodeToString(pem(Path.of(a[2])));
    String basic = "Basic " + Base64.getEncoder().encodeToString((a[3] + ":" + a[4]).getBytes(StandardCharsets.UTF_8));
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    s.createContext("/token", ex -> {
      try (ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        boolean authed = basic.equals(auth);
        if (auth != null && !authed) {
          ex.sendResponseHeaders(401, -1);
          return;
        }
        List<String> access = new ArrayList<>();
        String q = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        for (String kv : q.split("&")) {
          if (!kv.startsWith("scope=")) continue;
          String[] p = URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8).split(":");
          if (p.length != 3) continue;
          List<String> acts = new ArrayList<>();
          for (String act : p[2].split(",")) if (authed || act.equals("pull")) acts.add("\"" + act + "\"");
          access.add("{\"type\":\"" + p[0] + "\",\"name\":\"" + p[1] + "\",\"actions\":[" + String.join(",", acts) + "]}");
        }
        long now = System.currentTimeMillis() / 1000;
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + x5c + "\"]}";
        String claims = "{\"iss\":\"bitproof-token-issuer\",\"sub\":\"" + (authed ? a[3] : "") + "\",\"aud\":\"bitproof-registry\","
            + "\"exp\":" + (now + 600) + ",\"nbf\":" + (now - 60) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
            + "\",\"access\":[" + String.join(",", access) + "]}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        String jwt = input + "." + b64.encodeToString(sig.sign());
        byte[] body = ("{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":600}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      } catch (java.security.GeneralSecurityException e) {
        throw new java.io.IOException(e);
      }
    });
    s.start();
    System.err.println("token server on 127.0.0.1:" + port);
  }

  static byte[] pem(Path p) throws Exception {
    String s = Files.readString(p).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(s);
  }
}
