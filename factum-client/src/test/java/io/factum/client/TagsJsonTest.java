package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.StoreFailedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factum-tags property: written and read back exactly, anything else refused. */
class TagsJsonTest {

    @Test
    void tagsSurviveARoundTripWhateverTheirCharacters() {
        List<String> tags = List.of("account:42", "quote\"back\\slash", "tab\there", "ünï:€", "emoji:\uD83D\uDE00");

        String json = TagsJson.write(tags);

        assertThat(json).startsWith("[\"account:42\",\"quote\\\"back\\\\slash\",\"tab\\u0009here\"");
        assertThat(TagsJson.read(json)).isEqualTo(tags);
    }

    @Test
    void readsWhatOtherJsonWritersProduce() {
        assertThat(TagsJson.read(" [ \"a:1\" ,\n\"b\\u003a2\", \"c\\/d\" ] ")).containsExactly("a:1", "b:2", "c/d");
        assertThat(TagsJson.read("[]")).isEmpty();
    }

    @Test
    void anythingButAnArrayOfStringsIsAProtocolError() {
        for (String bad : List.of(
                "",
                "[",
                "[\"a\"",
                "[\"a\",]",
                "[1]",
                "{\"a\":1}",
                "[\"a\"] x",
                "[\"\\x\"]",
                "[\"\\u00g1\"]",
                "[\"\\u+123\"]",
                "[\"raw\ncontrol\"]",
                "\"a\"")) {
            assertThatThrownBy(() -> TagsJson.read(bad))
                    .as(bad)
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("factum-tags")
                    .hasMessageContaining("not a JSON array of strings");
        }
    }
}
