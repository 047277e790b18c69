/** Optional: a run's dataset as Parquet. */
package dev.ale.parquet;
