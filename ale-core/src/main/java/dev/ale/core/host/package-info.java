/** Running the host's own tools (ip, nft, bwrap) from argument lists, never shell strings. */
package dev.ale.core.host;
