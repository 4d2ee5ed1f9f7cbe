package io.factum.engine.internal.log;

import io.factum.engine.CorruptStoreException;
import io.factum.engine.VerifyReport;
import java.nio.file.Path;

/** A damaged place in a file of the log: what recovery refuses with and what verify reports. */
record Damage(Path file, long offset, String problem) {

    CorruptStoreException exception() {
        return new CorruptStoreException(file, offset, problem);
    }

    VerifyReport.Problem asProblem() {
        return new VerifyReport.Problem(file, offset, problem);
    }
}
