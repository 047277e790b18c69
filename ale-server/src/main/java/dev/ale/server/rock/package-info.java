/**
 * ROCK's sandbox API on the wire: its response envelope, its lenient request fields and its
 * resource notation. Pure data and parsing; the handlers that act on sandboxes live in
 * {@code dev.ale.server}, which depends on this room and never the other way round.
 */
package dev.ale.server.rock;
