/** The local backend: bubblewrap in ALE's own network namespace and cgroup, as an unprivileged uid per sandbox. */
package dev.ale.sandbox.local;
