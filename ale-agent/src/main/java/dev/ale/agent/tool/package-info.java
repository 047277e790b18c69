/** The agent's tools (shell, files, search, fetch, finish) and the runner that turns a tool call into an observation. */
package dev.ale.agent.tool;
