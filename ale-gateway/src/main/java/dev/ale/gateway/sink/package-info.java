/** The TCP sink: every connection the rules redirect, its original destination and what its first bytes say it is. */
package dev.ale.gateway.sink;
