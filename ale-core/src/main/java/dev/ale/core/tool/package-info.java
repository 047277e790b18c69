/** The tool port and the context a tool runs in. */
package dev.ale.core.tool;
