/** {@code ale audit} and {@code ale events}: the audit log read, verified, queried and followed. */
package dev.ale.cli.audit;
