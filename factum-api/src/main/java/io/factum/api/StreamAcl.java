package io.factum.api;

import java.util.List;

/**
 * A stream's access control list, KurrentDB's {@code $acl}: for each operation the users or roles
 * allowed ({@code $all} for everyone, {@code $admins} for administrators). An empty list means "not
 * set here": the server's default applies.
 */
public record StreamAcl(
        List<String> read, List<String> write, List<String> delete, List<String> metaRead, List<String> metaWrite) {

    public StreamAcl {
        read = List.copyOf(read);
        write = List.copyOf(write);
        delete = List.copyOf(delete);
        metaRead = List.copyOf(metaRead);
        metaWrite = List.copyOf(metaWrite);
    }

    public static StreamAcl empty() {
        return new StreamAcl(List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
