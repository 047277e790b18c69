/** The cluster's front: one HTTP API over many {@code ale serve} nodes, routing each id to the node that holds it. */
package dev.ale.cluster;
