package io.factum.examples.bank;

import io.factum.framework.EventTypes;
import io.factum.framework.JacksonEventCodec;

/** The codecs of the example, built once. */
final class Codecs {
    private Codecs() {}

    static final JacksonEventCodec<BankEvent> EVENTS = JacksonEventCodec.of(
            EventTypes.of(BankEvent.class).registerPermitted().build());

    static final JacksonEventCodec<BankCommand> COMMANDS = JacksonEventCodec.of(
            EventTypes.of(BankCommand.class).registerPermitted().build());
}
