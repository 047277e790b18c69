/** {@code ale bench}: the benchmarks behind docs/benchmarks.md, each against a baseline in the same run. */
package dev.ale.cli.bench;
