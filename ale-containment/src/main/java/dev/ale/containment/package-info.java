/** The guarded backend: gateway, monitor, kill switch and audit log around any sandbox backend, owning the bracketing of every call. */
package dev.ale.containment;
