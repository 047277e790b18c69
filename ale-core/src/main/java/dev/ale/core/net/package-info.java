/** What the gateway records of a sandbox's network: connections, DNS queries, proxied requests, dropped packets. */
package dev.ale.core.net;
