package dev.bitproof.rebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The package fetch pool keeps order and passes failures through with their own type. */
class InParallelTest {
  @Test
  void resultsInTaskOrder() throws IOException {
    List<Callable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
    assertEquals(List.of(1, 2, 3), Rebuild.inParallel(tasks, 2));
  }

  @Test
  void outOfMemoryInAWorkerStaysAnError() {
    // wrapped in an IOException it was reported as IO_ERROR, exit 3 ("could not check")
    List<Callable<Integer>> tasks = List.of(() -> 1, () -> {
      throw new OutOfMemoryError("Java heap space");
    });
    assertThrows(OutOfMemoryError.class, () -> Rebuild.inParallel(tasks, 2));
  }

  @Test
  void ioFailureStaysAnIoException() {
    List<Callable<Integer>> tasks = List.of(() -> {
      throw new IOException("gone");
    });
    assertEquals("gone", assertThrows(IOException.class, () -> Rebuild.inParallel(tasks, 1)).getMessage());
  }
}
