/** Veth links and ALE's nftables table: all TCP from a sandbox to the gateway, everything else dropped and counted. */
package dev.ale.gateway.net;
