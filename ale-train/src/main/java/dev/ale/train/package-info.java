/** The built-in learner: a softmax policy trained by REINFORCE with GRPO advantages, and the monitor-on/off comparison. */
package dev.ale.train;
