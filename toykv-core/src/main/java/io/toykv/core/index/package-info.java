/**
 * Internal: the in-memory sorted index of one shard, a B+-tree of immutable leaves that one writer
 * changes while readers walk it without locks. Not API.
 */
package io.toykv.core.index;
