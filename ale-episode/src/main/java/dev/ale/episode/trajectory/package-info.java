/** The trajectory line an episode is written down as. */
package dev.ale.episode.trajectory;
