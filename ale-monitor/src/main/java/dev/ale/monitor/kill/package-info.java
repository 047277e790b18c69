/** The kill switch, the one thing in the monitor that acts on a sandbox. */
package dev.ale.monitor.kill;
