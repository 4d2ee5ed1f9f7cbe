package io.factum.examples.bank;

import io.factum.framework.JacksonEventCodec;

/** Every event of the bank: an account's or a transfer's. Stored as JSON, one type per record. */
public sealed interface BankEvent permits AccountEvent, TransferEvent {

    /** The codec of every bank event (also what {@code factum replay} uses for the deciders). */
    static JacksonEventCodec<BankEvent> codec() {
        return Codecs.EVENTS;
    }
}
