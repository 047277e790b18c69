/** The audit log: append-only SQLite records, each carrying the hash of the one before. */
package dev.ale.monitor.audit;
