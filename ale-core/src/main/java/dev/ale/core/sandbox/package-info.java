/** The sandbox backend port: sandboxes, commands, sessions, files, processes and what a backend reports of them. */
package dev.ale.core.sandbox;
