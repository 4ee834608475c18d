package dev.bitproof.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;
import org.junit.jupiter.params.support.AnnotationConsumer;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * A {@link ParameterizedTest}'s table of rows over one data set in {@code ../shared/data} (fidelity checks on real
 * upstream bytes), written as {@code @CsvSource} rows are: comma-separated, {@code '...'} quotes a value, {@code ''} is
 * the empty string. When the data set {@link #data} is absent (a fresh clone), only the first row is given: the test
 * runs once and skips through {@link SharedData#require} with its reason, so a missing data set counts as one skipped
 * test, as a {@link SharedData#files} source does, instead of one per row.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ArgumentsSource(SharedCsvSource.Provider.class)
public @interface SharedCsvSource {
  /** The data set under {@code ../shared/data} the rows read. */
  String data();

  /** The rows. */
  String[] value();

  /** Gives the rows, or only the first one when the data set is absent. */
  final class Provider implements ArgumentsProvider, AnnotationConsumer<SharedCsvSource> {
    private SharedCsvSource source;

    @Override
    public void accept(SharedCsvSource s) {
      source = s;
    }

    @Override
    public Stream<? extends Arguments> provideArguments(ParameterDeclarations parameters, ExtensionContext context) {
      Stream<String> rows = Stream.of(source.value());
      if (!SharedData.present(source.data())) {
        rows = rows.limit(1);
      }
      return rows.map(r -> Arguments.of(parse(r).toArray()));
    }

    /** One row's values: comma-separated; a value in single quotes is taken as it is (commas and spaces kept). */
    static List<String> parse(String row) {
      List<String> out = new ArrayList<>();
      int i = 0;
      while (true) {
        while (i < row.length() && row.charAt(i) == ' ') {
          i++;
        }
        int comma;
        if (i < row.length() && row.charAt(i) == '\'') {
          int close = row.indexOf('\'', i + 1);
          if (close < 0) {
            throw new IllegalArgumentException("unbalanced quote in row: " + row);
          }
          out.add(row.substring(i + 1, close));
          comma = row.indexOf(',', close);
          if (!row.substring(close + 1, comma < 0 ? row.length() : comma).isBlank()) {
            throw new IllegalArgumentException("text after a quoted value in row: " + row);
          }
        } else {
          comma = row.indexOf(',', i);
          out.add(row.substring(i, comma < 0 ? row.length() : comma).strip());
        }
        if (comma < 0) {
          return out;
        }
        i = comma + 1;
      }
    }
  }
}
