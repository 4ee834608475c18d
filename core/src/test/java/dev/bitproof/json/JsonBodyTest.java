package dev.bitproof.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bitproof.apk.ApkCode;
import dev.bitproof.oci.Digest;
import dev.bitproof.report.Finding;
import dev.bitproof.report.Outcome;
import dev.bitproof.report.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one mapper writes a typed result as the documents' JSON: component order, digests as text, findings flat. */
class JsonBodyTest {
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Body(String file, Digest digest, Outcome result, String signer, List<Finding> findings) implements JsonBody {}

  @Test
  void aRecordIsWrittenAsItsDocumentFields() throws Exception {
    Digest d = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
    Finding f = new Finding(ApkCode.APK_SIGNATURE_UNTRUSTED_KEY, Severity.FAIL, "a.apk", "untrusted", java.util.Map.of())
        .with("key", "k.rsa.pub");
    String json = Json.mapper().writeValueAsString(new Body("a.apk", d, Outcome.FAIL, null, List.of(f)));
    assertEquals("{\"file\":\"a.apk\",\"digest\":\"" + d + "\",\"result\":\"FAIL\",\"findings\":[{\"code\":"
        + "\"APK_SIGNATURE_UNTRUSTED_KEY\",\"severity\":\"FAIL\",\"subject\":\"a.apk\",\"message\":\"untrusted\","
        + "\"evidence\":{\"key\":\"k.rsa.pub\"}}]}", json, "an absent signer is left out, the rest in component order");
  }
}
