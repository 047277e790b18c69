/** The ReAct loop: a driver of one episode's agent phase, with its conversation and context window. */
package dev.ale.agent.loop;
