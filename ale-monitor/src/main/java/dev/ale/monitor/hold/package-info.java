/** Holds for approval: a held act waits (a command) or is frozen (a sandbox) until an operator approves or denies it, or its deadline denies it. */
package dev.ale.monitor.hold;
