/** A run as a chat dataset with rewards, advantages and per-step credit. */
package dev.ale.runs.export;
