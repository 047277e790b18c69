/**
 * The live console at {@code /ui}: server-rendered pages over the fleet, one sandbox, the audit
 * log, holds and passports, behind a token sign-in kept in a server-side session. It reads the
 * server only through {@link dev.ale.server.console.ConsoleSource}, so nothing here reaches into
 * the API's own classes.
 */
package dev.ale.server.console;
