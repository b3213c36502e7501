/**
 * Internal: the in-memory sorted index of one shard, a B+-tree that one writer (holding the shard's
 * write lock) changes while readers walk it without locks. Inner nodes never change but for a child
 * slot (a release store); a leaf is changed in place under its own sequence lock, which readers
 * validate and retry; a full leaf is replaced by copies published through its parent. Not API.
 */
package io.toykv.core.index;
