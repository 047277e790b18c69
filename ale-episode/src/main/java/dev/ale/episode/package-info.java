/** One episode as a state machine (setup, agent steps, verify, ended) owning every end rule, and its runner under the agent loop. */
package dev.ale.episode;
