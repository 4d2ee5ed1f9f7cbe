package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Query;
import io.factum.api.QueryItem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's query syntax: items by ';', terms by ',', type= and tag=, '\' escapes. */
class QuerySyntaxTest {

    @Test
    void itemsAndTerms() {
        assertThat(QuerySyntax.parse("type=X,tag=a:1;tag=b:2"))
                .isEqualTo(new Query(List.of(
                        new QueryItem(List.of("X"), List.of("a:1")), new QueryItem(List.of(), List.of("b:2")))));
        assertThat(QuerySyntax.parse(" type = Enrolled , type=Left, tag=student:3 "))
                .isEqualTo(Query.of(List.of("Enrolled", "Left"), List.of("student:3")));
        assertThat(QuerySyntax.parse("type=OnlyAType")).isEqualTo(Query.of(QueryItem.types("OnlyAType")));
    }

    @Test
    void aBackslashMakesTheNextCharacterLiteral() {
        assertThat(QuerySyntax.parse("tag=a\\,b\\;c\\\\d=e")).isEqualTo(Query.tagged("a,b;c\\d=e"));
    }

    @Test
    void errorsNameTheBadTermOrItem() {
        assertBad("type=X,colour=red", "term 'colour=red' in item 1 is not type=TYPE or tag=TAG");
        assertBad("type=X;tag", "term 'tag' in item 2 has no value after tag=");
        assertBad("type=", "term 'type=' in item 1 has no value after type=");
        assertBad("type=X;", "item 2 is empty");
        assertBad("", "item 1 is empty");
        assertBad("type=X,,tag=a", "item 1 has an empty term");
        assertBad("tag=a\\", "ends with a lone '\\'");
    }

    private static void assertBad(String text, String message) {
        assertThatThrownBy(() -> QuerySyntax.parse(text))
                .as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
