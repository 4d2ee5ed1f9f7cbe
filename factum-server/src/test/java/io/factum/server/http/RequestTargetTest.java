package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Path and query decoding is strict, and the protocol sniffer decides on the right bytes. */
class RequestTargetTest {

    @Test
    void decodesSegmentsAndQueriesStrictly() {
        var target = RequestTarget.parse("/streams/a%2Fb%20c/?from=1&streamRegex=^x+y$&flag&from=2");
        assertThat(target.segments()).containsExactly("streams", "a/b c");
        assertThat(target.query().get("from")).containsExactly("1", "2");
        assertThat(target.query().get("streamRegex")).containsExactly("^x+y$"); // + stays a plus
        assertThat(target.query().get("flag")).containsExactly("");
        assertThat(RequestTarget.parse("/streams/caf%C3%A9").segments()).containsExactly("streams", "café");
        // Netty hands the request line over as ISO-8859-1: raw UTF-8 bytes arrive one char each.
        String raw = new String("/streams/café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(RequestTarget.parse(raw).segments()).containsExactly("streams", "café");
    }

    @Test
    void refusesMalformedEscapesAndBytesThatAreNotUtf8() {
        assertThatThrownBy(() -> RequestTarget.parse("/streams/%4"))
                .isInstanceOf(HttpProblem.class)
                .hasMessageContaining("malformed percent-escape");
        assertThatThrownBy(() -> RequestTarget.parse("/streams/%C3%28"))
                .isInstanceOf(HttpProblem.class)
                .hasMessageContaining("does not decode to UTF-8");
        assertThatThrownBy(() -> RequestTarget.parse("*")).isInstanceOf(HttpProblem.class);
    }

    @Test
    void encodesSegmentsSoThatTheyDecodeBack() {
        for (String name : List.of("order-1", "$all", "a/b c", "café", "x?y#z&w=1", "%41")) {
            String encoded = RequestTarget.encodeSegment(name);
            assertThat(encoded).doesNotContain("/", "?", "#", "&", " ");
            assertThat(RequestTarget.decode(encoded, "path")).isEqualTo(name);
        }
        assertThat(RequestTarget.encodeSegment("$all")).isEqualTo("$all");
    }

    @Test
    void theSnifferWaitsForTheWholePrefaceAndDecidesOnTheFirstDifferentByte() {
        assertThat(decide("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).isEqualTo(ProtocolSniffer.Protocol.GRPC);
        assertThat(decide("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\u0012\u0004")).isEqualTo(ProtocolSniffer.Protocol.GRPC);
        assertThat(decide("PRI * HTTP/2")).isEqualTo(ProtocolSniffer.Protocol.UNDECIDED);
        assertThat(decide("")).isEqualTo(ProtocolSniffer.Protocol.UNDECIDED);
        assertThat(decide("G")).isEqualTo(ProtocolSniffer.Protocol.HTTP1);
        assertThat(decide("PRI * HTTP/1.1\r\n")).isEqualTo(ProtocolSniffer.Protocol.HTTP1);
    }

    static ProtocolSniffer.Protocol decide(String bytes) {
        return ProtocolSniffer.decide(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }
}
