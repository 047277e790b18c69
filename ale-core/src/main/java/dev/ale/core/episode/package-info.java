/** An episode written down (steps, trajectory, verifier result) and the port a driver steps it through. */
package dev.ale.core.episode;
