/** A task as a GEM environment: an episode stepped one action at a time from outside. */
package dev.ale.episode.env;
