/** Dockerfile builds: a pure parser, variable substitution, and a builder that runs each RUN in a sandbox and keeps each step as a cached layer. */
package dev.ale.image.build;
