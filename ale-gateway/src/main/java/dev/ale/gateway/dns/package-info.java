/** The DNS server: answers only allowlisted names, records every query. */
package dev.ale.gateway.dns;
