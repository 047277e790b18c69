/** SafetyEvents, their categories and their one wire form. */
package dev.ale.core.event;
