/**
 * Helpers shared by Factum's own modules: the strict JSON reader and writer behind the stream
 * metadata codec. This package is <b>not API</b>: it may change in any release without notice,
 * and applications must not use it.
 */
@NullMarked
package io.factum.api.internal;

import org.jspecify.annotations.NullMarked;
