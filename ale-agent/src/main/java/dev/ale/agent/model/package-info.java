/** An OpenAI-compatible model client: requests, streaming, retries with backoff, and the raw exchange with its key redacted. */
package dev.ale.agent.model;
