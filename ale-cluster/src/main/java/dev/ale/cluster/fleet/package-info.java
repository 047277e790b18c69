/** The nodes a front knows (from discovery and their reports), and where each new sandbox goes. */
package dev.ale.cluster.fleet;
