/** Chat messages, tool calls and the model client port, in the OpenAI wire form. */
package dev.ale.core.model;
