/** The {@code ale} command: its subcommands and the one wiring of concrete backends. */
package dev.ale.cli;
