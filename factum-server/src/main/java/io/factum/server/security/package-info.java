/**
 * Who is calling and what they may do: authentication of calls, stream ACLs, the admin role.
 * Transport-neutral: gRPC and HTTP both resolve a {@link io.factum.server.security.Principal} and
 * ask the {@link io.factum.server.security.AccessPolicy}.
 */
@NullMarked
package io.factum.server.security;

import org.jspecify.annotations.NullMarked;
