/**
 * HTTP/1.1 with JSON and Server-Sent Events, on the same port as gRPC. {@link
 * io.factum.server.http.PortSharingNegotiator} looks at the first bytes of each connection: the
 * HTTP/2 client preface goes to gRPC, anything else to the HTTP pipeline that {@link
 * io.factum.server.http.HttpPipeline} builds. Requests are decoded on Netty's event loop and
 * answered on virtual threads; nothing here blocks an event loop. The API itself is described in
 * {@code docs/http-api.md}.
 */
@NullMarked
package io.factum.server.http;

import org.jspecify.annotations.NullMarked;
