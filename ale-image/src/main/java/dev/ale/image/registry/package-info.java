/** The OCI distribution API: image references, mirrors, logins, manifests and verified blobs. */
package dev.ale.image.registry;
