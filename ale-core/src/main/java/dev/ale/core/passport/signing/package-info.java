/** Passport signatures: Ed25519 keys, the detached {@code .sig} file beside a passport, and its verification against trusted keys. */
package dev.ale.core.passport.signing;
