/** The gateway, every sandbox's only way out: it links sandboxes and records what they tried. */
package dev.ale.gateway;
