/** OCI images for sandboxes: the {@link dev.ale.image.ImageStore} façade over the registry client and the layer store. */
package dev.ale.image;
