/** The monitor: watches sandboxes and reports SafetyEvents; it never acts. */
package dev.ale.monitor;
