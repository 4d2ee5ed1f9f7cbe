package io.factum.examples.bank;

/** Every command of the bank. */
public sealed interface BankCommand permits AccountCommand, TransferCommand {}
