package dev.ale.server.console;

/**
 * What the server knows of one task's GEM episodes: how many run now, how many ended, passed and
 * were killed, and the sum of their rewards.
 */
public record TaskTally(String task, int running, int ended, int passed, int kills, double rewardSum) {

    double passRate() {
        return ended == 0 ? 0 : (double) passed / ended;
    }

    double meanReward() {
        return ended == 0 ? 0 : rewardSum / ended;
    }
}
