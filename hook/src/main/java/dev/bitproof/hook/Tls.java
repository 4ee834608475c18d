package dev.bitproof.hook;

import dev.bitproof.io.IoCode;
import dev.bitproof.report.CheckException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** The server's certificate chain and key, PEM files as a registry or nginx takes them, as an in-memory key store. */
public record Tls(Path certificate, Path key) {
  static final char[] PASSWORD = "bitproof-hook".toCharArray();

  public KeyStore keyStore() {
    try {
      List<Certificate> chain = new ArrayList<>();
      try (var in = Files.newInputStream(certificate)) {
        chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
      }
      if (chain.isEmpty()) {
        throw new CheckException(HookCode.HOOK_TLS_INVALID, certificate.toString(), "no certificate in the file");
      }
      PrivateKey pk;
      try (Reader r = Files.newBufferedReader(key); PEMParser p = new PEMParser(r)) {
        Object o = p.readObject();
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter().setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        if (o instanceof PEMKeyPair kp) {
          pk = conv.getPrivateKey(kp.getPrivateKeyInfo());
        } else if (o instanceof PrivateKeyInfo info) {
          pk = conv.getPrivateKey(info);
        } else {
          throw new CheckException(HookCode.HOOK_TLS_INVALID, key.toString(), "not an unencrypted PEM private key");
        }
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("hook", pk, PASSWORD, chain.toArray(Certificate[]::new));
      return ks;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CheckException(IoCode.FILE_NOT_FOUND, e.getFile(), "no such TLS file", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new CheckException(HookCode.HOOK_TLS_INVALID, certificate + " / " + key, "cannot load the TLS certificate and key: " + e.getMessage(), e);
    }
  }
}
