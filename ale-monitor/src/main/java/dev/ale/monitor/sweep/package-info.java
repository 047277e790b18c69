/** The process sweep: a sandbox's processes read from the host and judged by what they run, hold and use. */
package dev.ale.monitor.sweep;
