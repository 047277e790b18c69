/** A task: instruction, environment, verifier, budget and passport. */
package dev.ale.core.task;
