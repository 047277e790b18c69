/** A run as one self-contained HTML page, read from its run directory alone. */
package dev.ale.report;
