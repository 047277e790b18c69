/** The image store: blobs, layers unpacked once (a safe tar reader), image records, what is in use. */
package dev.ale.image.store;
