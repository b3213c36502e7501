/**
 * Internal: file names, the directory lock, file preallocation and the JNA boundary ({@code NativeIo},
 * the only class that declares native calls, each with a pure-Java fallback). Not API.
 */
package io.toykv.core.io;
