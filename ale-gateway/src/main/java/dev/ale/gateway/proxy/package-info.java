/** The HTTP(S) proxy: allowlisted egress dialled by the gateway itself, and the route to the model proxy. */
package dev.ale.gateway.proxy;
