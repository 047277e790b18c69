/** GRPO advantages per group and per-step credit with each tool call as a chunk. */
package dev.ale.runs.credit;
