package dev.bitproof.gocompat;

import static org.junit.jupiter.api.Assertions.*;

import dev.bitproof.testing.SharedData;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GoSort against Go's own {@code sort.Slice}: {@code testdata/gosort/pdqsort-go1.19.txt} holds, for sizes up to 1000
 * and five key patterns full of ties (random, ascending, descending, all equal, sawtooth), the order Go left the
 * original indices in (written by {@code testdata/gosort/gen.go.txt} under Go 1.19).
 */
class GoSortTest {
  record Item(int key, int idx) {}

  @Test
  void sameOrderAsGoForEveryCaseIncludingTies() throws Exception {
    List<String> lines = Files.readAllLines(SharedData.testdata("gosort/pdqsort-go1.19.txt"));
    assertEquals(55, lines.size());
    for (String line : lines) {
      String[] parts = line.split("\\|", -1);
      List<Item> items = new ArrayList<>();
      String[] keys = parts[1].isEmpty() ? new String[0] : parts[1].split(" ");
      for (int i = 0; i < keys.length; i++) {
        items.add(new Item(Integer.parseInt(keys[i]), i));
      }
      GoSort.sort(items, (a, b) -> a.key() < b.key());
      StringBuilder got = new StringBuilder();
      for (Item it : items) {
        got.append(got.length() == 0 ? "" : " ").append(it.idx());
      }
      assertEquals(parts[2], got.toString(), parts[0]);
    }
  }
}
