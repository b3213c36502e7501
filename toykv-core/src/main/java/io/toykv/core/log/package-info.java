/**
 * Internal: the files of one shard and their records, one class per file kind: {@link
 * io.toykv.core.log.ValueBuffer} ({@code .b}), {@link io.toykv.core.log.Segment} ({@code .v}),
 * {@link io.toykv.core.log.KeysFile} ({@code .k}), with {@link io.toykv.core.log.ValuesLog} and
 * {@link io.toykv.core.log.KeysLog} over them. The byte layouts are in {@code docs/FORMAT.md}. Not API.
 *
 * <p>This package uses {@code io.toykv.core.io} and nothing above it, with one exception: it throws the
 * API's {@link io.toykv.core.CorruptionException}. That class is public API and may not move; a base
 * class in a lower package that the log threw instead would not be caught by callers catching
 * {@code CorruptionException}, and translating at every call into the log would be a change of
 * behaviour of its own. {@code ArchitectureTest} allows that arrow and no other.
 */
package io.toykv.core.log;
