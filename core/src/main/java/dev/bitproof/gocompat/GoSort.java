package dev.bitproof.gocompat;

import java.util.List;
import java.util.function.BiPredicate;

/**
 * Go's unstable sort, exactly: the pattern-defeating quicksort that {@code sort.Slice} (Go ≥ 1.19, {@code
 * zsortfunc.go}) and {@code slices.SortFunc} (Go ≥ 1.21, {@code zsortanyfunc.go}) run; both are generated from one
 * template, so one port serves both. Where equal elements are distinct values (apko sorts ld.so.cache entries by
 * basename only), the output order is this algorithm's and no other sort's; no randomness is involved.
 */
public final class GoSort {
  private GoSort() {}

  private static final int INCREASING = 1;
  private static final int DECREASING = 2;
  private static final int UNKNOWN = 0;

  /** Sorts {@code list} in place as Go would with {@code less(a, b)} ({@code cmp(a, b) < 0} for slices.SortFunc). */
  public static <T> void sort(List<T> list, BiPredicate<T, T> less) {
    @SuppressWarnings("unchecked")
    T[] a = (T[]) list.toArray();
    new Sorter<>(a, less).pdqsort(0, a.length, 64 - Long.numberOfLeadingZeros(a.length));
    for (int i = 0; i < a.length; i++) {
      list.set(i, a[i]);
    }
  }

  private static final class Sorter<T> {
    private final T[] d;
    private final BiPredicate<T, T> lt;

    Sorter(T[] d, BiPredicate<T, T> lt) {
      this.d = d;
      this.lt = lt;
    }

    private boolean less(int i, int j) {
      return lt.test(d[i], d[j]);
    }

    private void swap(int i, int j) {
      T t = d[i];
      d[i] = d[j];
      d[j] = t;
    }

    void insertionSort(int a, int b) {
      for (int i = a + 1; i < b; i++) {
        for (int j = i; j > a && less(j, j - 1); j--) {
          swap(j, j - 1);
        }
      }
    }

    void siftDown(int lo, int hi, int first) {
      int root = lo;
      while (true) {
        int child = 2 * root + 1;
        if (child >= hi) {
          return;
        }
        if (child + 1 < hi && less(first + child, first + child + 1)) {
          child++;
        }
        if (!less(first + root, first + child)) {
          return;
        }
        swap(first + root, first + child);
        root = child;
      }
    }

    void heapSort(int a, int b) {
      int first = a;
      int lo = 0;
      int hi = b - a;
      for (int i = (hi - 1) / 2; i >= 0; i--) {
        siftDown(i, hi, first);
      }
      for (int i = hi - 1; i >= 0; i--) {
        swap(first, first + i);
        siftDown(lo, i, first);
      }
    }

    void pdqsort(int a, int b, int limit) {
      final int maxInsertion = 12;
      boolean wasBalanced = true;
      boolean wasPartitioned = true;
      while (true) {
        int length = b - a;
        if (length <= maxInsertion) {
          insertionSort(a, b);
          return;
        }
        if (limit == 0) {
          heapSort(a, b);
          return;
        }
        if (!wasBalanced) {
          breakPatterns(a, b);
          limit--;
        }
        long ph = choosePivot(a, b);
        int pivot = (int) (ph >> 8);
        int hint = (int) (ph & 0xff);
        if (hint == DECREASING) {
          reverseRange(a, b);
          pivot = (b - 1) - (pivot - a);
          hint = INCREASING;
        }
        if (wasBalanced && wasPartitioned && hint == INCREASING) {
          if (partialInsertionSort(a, b)) {
            return;
          }
        }
        if (a > 0 && !less(a - 1, pivot)) {
          a = partitionEqual(a, b, pivot);
          continue;
        }
        long mp = partition(a, b, pivot);
        int mid = (int) (mp >> 1);
        wasPartitioned = (mp & 1) == 1;
        int leftLen = mid - a;
        int rightLen = b - mid;
        int balanceThreshold = length / 8;
        if (leftLen < rightLen) {
          wasBalanced = leftLen >= balanceThreshold;
          pdqsort(a, mid, limit);
          a = mid + 1;
        } else {
          wasBalanced = rightLen >= balanceThreshold;
          pdqsort(mid + 1, b, limit);
          b = mid;
        }
      }
    }

    /** @return newpivot << 1 | alreadyPartitioned */
    long partition(int a, int b, int pivot) {
      swap(a, pivot);
      int i = a + 1;
      int j = b - 1;
      while (i <= j && less(i, a)) {
        i++;
      }
      while (i <= j && !less(j, a)) {
        j--;
      }
      if (i > j) {
        swap(j, a);
        return ((long) j << 1) | 1;
      }
      swap(i, j);
      i++;
      j--;
      while (true) {
        while (i <= j && less(i, a)) {
          i++;
        }
        while (i <= j && !less(j, a)) {
          j--;
        }
        if (i > j) {
          break;
        }
        swap(i, j);
        i++;
        j--;
      }
      swap(j, a);
      return (long) j << 1;
    }

    int partitionEqual(int a, int b, int pivot) {
      swap(a, pivot);
      int i = a + 1;
      int j = b - 1;
      while (true) {
        while (i <= j && !less(a, i)) {
          i++;
        }
        while (i <= j && less(a, j)) {
          j--;
        }
        if (i > j) {
          break;
        }
        swap(i, j);
        i++;
        j--;
      }
      return i;
    }

    boolean partialInsertionSort(int a, int b) {
      final int maxSteps = 5;
      final int shortestShifting = 50;
      int i = a + 1;
      for (int step = 0; step < maxSteps; step++) {
        while (i < b && !less(i, i - 1)) {
          i++;
        }
        if (i == b) {
          return true;
        }
        if (b - a < shortestShifting) {
          return false;
        }
        swap(i, i - 1);
        if (i - a >= 2) {
          for (int j = i - 1; j >= 1; j--) {
            if (!less(j, j - 1)) {
              break;
            }
            swap(j, j - 1);
          }
        }
        if (b - i >= 2) {
          for (int j = i + 1; j < b; j++) {
            if (!less(j, j - 1)) {
              break;
            }
            swap(j, j - 1);
          }
        }
      }
      return false;
    }

    void breakPatterns(int a, int b) {
      int length = b - a;
      if (length >= 8) {
        long random = length; // xorshift seeded with the length
        long modulus = 1L << (64 - Long.numberOfLeadingZeros(length)); // nextPowerOfTwo
        for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
          random ^= random << 13;
          random ^= random >>> 17;
          random ^= random << 5;
          int other = (int) (random & (modulus - 1));
          if (other >= length) {
            other -= length;
          }
          swap(idx, a + other);
        }
      }
    }

    /** @return pivot << 8 | hint */
    long choosePivot(int a, int b) {
      final int shortestNinther = 50;
      final int maxSwaps = 4 * 3;
      int l = b - a;
      int[] swaps = {0};
      int i = a + l / 4 * 1;
      int j = a + l / 4 * 2;
      int k = a + l / 4 * 3;
      if (l >= 8) {
        if (l >= shortestNinther) {
          i = median(i - 1, i, i + 1, swaps);
          j = median(j - 1, j, j + 1, swaps);
          k = median(k - 1, k, k + 1, swaps);
        }
        j = median(i, j, k, swaps);
      }
      int hint = swaps[0] == 0 ? INCREASING : swaps[0] == maxSwaps ? DECREASING : UNKNOWN;
      return ((long) j << 8) | hint;
    }

    int median(int a, int b, int c, int[] swaps) {
      // order2(a, b); order2(b, c); order2(a, b): each returns the pair ordered, counting swaps
      if (less(b, a)) {
        swaps[0]++;
        int t = a;
        a = b;
        b = t;
      }
      if (less(c, b)) {
        swaps[0]++;
        int t = b;
        b = c;
        c = t;
      }
      if (less(b, a)) {
        swaps[0]++;
        int t = a;
        a = b;
        b = t;
      }
      return b;
    }

    void reverseRange(int a, int b) {
      int i = a;
      int j = b - 1;
      while (i < j) {
        swap(i, j);
        i++;
        j--;
      }
    }
  }
}
