/** ALE as a service: the HTTP API over guarded sandboxes, GEM environments and the model proxy. */
package dev.ale.server;
