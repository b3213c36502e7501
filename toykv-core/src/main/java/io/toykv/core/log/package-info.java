/**
 * Internal: the files of one shard and their records, one class per file kind: {@link
 * io.toykv.core.log.ValueBuffer} ({@code .b}), {@link io.toykv.core.log.Segment} ({@code .v}),
 * {@link io.toykv.core.log.KeysFile} ({@code .k}), with {@link io.toykv.core.log.ValuesLog} and
 * {@link io.toykv.core.log.KeysLog} over them. The byte layouts are in {@code docs/FORMAT.md}. Not API.
 */
package io.toykv.core.log;
