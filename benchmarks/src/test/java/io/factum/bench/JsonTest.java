package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesNestedValuesInOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", List.of(1.5, "x", true));
        m.put("o", Optional.empty());
        m.put("n", Map.of("k", 2L));

        assertThat(Json.write(m)).isEqualTo("{\"b\":1,\"a\":[1.5,\"x\",true],\"o\":null,\"n\":{\"k\":2}}");
    }

    @Test
    void escapesStringsAndNullsNonFiniteNumbers() {
        assertThat(Json.write("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
        assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, 2.0, 1e-4)))
                .isEqualTo("[null,null,2,1.0E-4]");
        assertThat(Json.write(Optional.of("v"))).isEqualTo("\"v\"");
    }
}
