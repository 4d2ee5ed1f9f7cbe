/**
 * The one append gate every transport goes through: gRPC Append, BatchAppend and AppendSession,
 * Factum's DCB service, and HTTP. {@link io.factum.server.append.AppendGate} checks sizes as a call's
 * events arrive, asks the access policy, appends, counts the outcome, and hands back a
 * transport-neutral {@link io.factum.server.append.AppendOutcome} that each transport writes in its
 * own wire form.
 */
@NullMarked
package io.factum.server.append;

import org.jspecify.annotations.NullMarked;
