/**
 * The thin client of a resident ALE ({@code ale daemon}) and the frames both ends speak over its unix
 * socket. JDK classes only: this is what {@code ale sandbox run} loads before anything else.
 */
package dev.ale.cli.resident;
