/** What every room of the CLI builds on: the JSON it prints, where the shipped tasks are, its version. */
package dev.ale.cli.common;
