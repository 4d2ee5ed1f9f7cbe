package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.Query;
import io.factum.api.StoreFailedException;
import io.factum.protocol.FactumWire;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The DCB service's answers that the TCK cannot provoke: malformed or missing facts, a KurrentDB server. */
class DcbErrorMappingTest {

    private final ErrorMapper errors = new ErrorMapper("db:2113");
    private final AppendCondition condition = AppendCondition.noneMatchingAfter(Query.tagged("course:7"), 3);

    private static Metadata conditionFailed(String position) {
        Metadata trailers = new Metadata();
        trailers.put(ErrorMapper.FACTUM_ERROR, FactumWire.APPEND_CONDITION_FAILED);
        if (position != null) {
            trailers.put(ErrorMapper.CONFLICTING_POSITION, position);
        }
        return trailers;
    }

    @Test
    void aFailedConditionNamesTheRequestsConditionAndTheServersPosition() {
        var error = Status.FAILED_PRECONDITION
                .withDescription("append condition failed")
                .asRuntimeException(conditionFailed("7"));

        assertThat(errors.map(error, "s", Optional.of(condition)))
                .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> {
                    assertThat(e.condition()).isEqualTo(condition);
                    assertThat(e.conflictingPosition()).isEqualTo(7);
                });
    }

    @Test
    void aFailedConditionWithoutItsFactsIsAProtocolError() {
        var noPosition = Status.FAILED_PRECONDITION.asRuntimeException(conditionFailed(null));
        var badPosition = Status.FAILED_PRECONDITION.asRuntimeException(conditionFailed("seven"));
        var noCondition = Status.FAILED_PRECONDITION.asRuntimeException(conditionFailed("7"));

        assertThat(errors.map(noPosition, "s", Optional.of(condition)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("broke the protocol");
        assertThat(errors.map(badPosition, "s", Optional.of(condition)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("'seven'");
        assertThat(errors.map(noCondition, "s")).isInstanceOf(StoreFailedException.class);
    }

    @Test
    void aServerWithoutTheDcbServiceSaysThatAFactumServerIsNeeded() {
        var error = Status.UNIMPLEMENTED
                .withDescription("Method not found: factum.dcb.v1.Dcb/Read")
                .asRuntimeException();

        assertThat(errors.map(error, ""))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("db:2113 does not implement the call")
                .hasMessageContaining("need a Factum server");
    }
}
