/** Where the front learns which nodes exist: a static list, or the Kubernetes API (pods by label, watched). */
package dev.ale.cluster.discovery;
