/** Runs of many episodes: parallel, resumable from their journal, infrastructure failures retried apart. */
package dev.ale.runs;
