/** An episode's reward: the verifier's score less the passport's penalty for each event. */
package dev.ale.episode.reward;
