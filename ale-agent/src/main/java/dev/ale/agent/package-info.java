/** The agent: what drives a policy through an episode's tools (see the loop, tool, model and policy rooms). */
package dev.ale.agent;
