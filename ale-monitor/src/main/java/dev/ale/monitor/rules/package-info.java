/**
 * The catalogue of rule ids: every rule the monitor can report, with its category, severity and what
 * it catches. Detectors name a {@link dev.ale.monitor.rules.RuleId}, never a string of their own.
 */
package dev.ale.monitor.rules;
