package dev.bitproof.compress;

/**
 * The sort klauspost/compress uses to order Huffman nodes by (frequency, symbol): Go's pre-1.19 pattern of
 * quicksort with ninther pivots, a shell pass and insertion sort. Since symbols are distinct, any correct sort
 * gives the same order, except that upstream falls back to a heapsort <em>by symbol</em> when the quicksort
 * recursion gets too deep. That fallback changes code lengths, so it is kept here as it is.
 *
 * <p>Nodes are packed as {@code freq << 16 | symbol}; the (frequency, symbol) order is unsigned int order. The
 * comparisons in the partition step are upstream's strict ones (not the negated forms Go's sort.Sort uses), since
 * they decide where the pivot lands when it is compared with itself.
 */
final class FreqSort {
  private FreqSort() {}

  static void sort(int[] data, int n) {
    quickSort(data, 0, n, maxDepth(n));
  }

  private static boolean less(int a, int b) {
    return Integer.compareUnsigned(a, b) < 0;
  }

  private static int lit(int node) {
    return node & 0xFFFF;
  }

  private static void swap(int[] d, int i, int j) {
    int t = d[i];
    d[i] = d[j];
    d[j] = t;
  }

  static int maxDepth(int n) {
    int depth = 0;
    for (int i = n; i > 0; i >>= 1) {
      depth++;
    }
    return depth * 2;
  }

  private static void quickSort(int[] data, int a, int b, int maxDepth) {
    while (b - a > 12) {
      if (maxDepth == 0) {
        heapSortBySymbol(data, a, b);
        return;
      }
      maxDepth--;
      long m = doPivot(data, a, b);
      int mlo = (int) (m >> 32);
      int mhi = (int) m;
      if (mlo - a < b - mhi) {
        quickSort(data, a, mlo, maxDepth);
        a = mhi;
      } else {
        quickSort(data, mhi, b, maxDepth);
        b = mlo;
      }
    }
    if (b - a > 1) {
      for (int i = a + 6; i < b; i++) {
        if (less(data[i], data[i - 6])) {
          swap(data, i, i - 6);
        }
      }
      for (int i = a + 1; i < b; i++) {
        for (int j = i; j > a && less(data[j], data[j - 1]); j--) {
          swap(data, j, j - 1);
        }
      }
    }
  }

  private static void medianOfThree(int[] data, int m1, int m0, int m2) {
    if (less(data[m1], data[m0])) {
      swap(data, m1, m0);
    }
    if (less(data[m2], data[m1])) {
      swap(data, m2, m1);
      if (less(data[m1], data[m0])) {
        swap(data, m1, m0);
      }
    }
  }

  /** Returns midlo in the high half and midhi in the low half. */
  private static long doPivot(int[] data, int lo, int hi) {
    int m = (lo + hi) >>> 1;
    if (hi - lo > 40) {
      int s = (hi - lo) / 8;
      medianOfThree(data, lo, lo + s, lo + 2 * s);
      medianOfThree(data, m, m - s, m + s);
      medianOfThree(data, hi - 1, hi - 1 - s, hi - 1 - 2 * s);
    }
    medianOfThree(data, lo, m, hi - 1);

    int pivot = lo;
    int a = lo + 1;
    int c = hi - 1;
    for (; a < c && less(data[a], data[pivot]); a++) {
      // data[lo < i < a] < pivot
    }
    int b = a;
    for (;;) {
      for (; b < c && less(data[b], data[pivot]); b++) {
        // data[b] <= pivot
      }
      for (; b < c && less(data[pivot], data[c - 1]); c--) {
        // data[c-1] > pivot
      }
      if (b >= c) {
        break;
      }
      swap(data, b, c - 1);
      b++;
      c--;
    }
    boolean protect = hi - c < 5;
    if (!protect && hi - c < (hi - lo) / 4) {
      int dups = 0;
      if (less(data[hi - 1], data[pivot])) {
        swap(data, c, hi - 1);
        c++;
        dups++;
      }
      if (less(data[pivot], data[b - 1])) {
        b--;
        dups++;
      }
      if (less(data[pivot], data[m])) {
        swap(data, m, b - 1);
        b--;
        dups++;
      }
      protect = dups > 1;
    }
    if (protect) {
      for (;;) {
        for (; a < b && less(data[pivot], data[b - 1]); b--) {
          // data[b] == pivot
        }
        for (; a < b && less(data[a], data[pivot]); a++) {
          // data[a] < pivot
        }
        if (a >= b) {
          break;
        }
        swap(data, a, b - 1);
        a++;
        b--;
      }
    }
    swap(data, pivot, b - 1);
    return (long) (b - 1) << 32 | (c & 0xFFFF_FFFFL);
  }

  private static void heapSortBySymbol(int[] data, int a, int b) {
    int first = a;
    int lo = 0;
    int hi = b - a;
    for (int i = (hi - 1) / 2; i >= 0; i--) {
      siftDownBySymbol(data, i, hi, first);
    }
    for (int i = hi - 1; i >= 0; i--) {
      swap(data, first, first + i);
      siftDownBySymbol(data, lo, i, first);
    }
  }

  private static void siftDownBySymbol(int[] data, int lo, int hi, int first) {
    int root = lo;
    for (;;) {
      int child = 2 * root + 1;
      if (child >= hi) {
        return;
      }
      if (child + 1 < hi && lit(data[first + child]) < lit(data[first + child + 1])) {
        child++;
      }
      if (lit(data[first + root]) > lit(data[first + child])) {
        return;
      }
      swap(data, first + root, first + child);
      root = child;
    }
  }
}
