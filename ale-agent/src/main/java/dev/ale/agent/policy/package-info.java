/** Policies that pick the agent's actions: a model behind an OpenAI-compatible API, a replayed reference solution, a scripted list. */
package dev.ale.agent.policy;
