package dev.ale.runs.credit;

import dev.ale.episode.reward.Rewards;
import dev.ale.episode.reward.Reward;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.passport.DetectorSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Credit for a batch of episodes: rewards from each episode's passport, then advantages within
 * each group of the same task. Episodes that ended for the infrastructure's fault have no reward
 * and stay out of their group.
 */
public final class GroupCredit {

    /** ROLL's IPA discounts chunk returns; 0.95 keeps a blocked act near its step without hiding the score from early ones. */
    public static final double DEFAULT_GAMMA = 0.95;

    private GroupCredit() {
    }

    /** Credit by episode id. {@code detectors} gives each episode's passport weights (by task, usually). */
    public static Map<String, Credit> of(List<Trajectory> episodes, Function<Trajectory, DetectorSettings> detectors, double gamma) {
        Map<String, List<Trajectory>> groups = new LinkedHashMap<>();
        for (Trajectory t : episodes) {
            if (t.end().agentsDoing()) groups.computeIfAbsent(t.taskId(), k -> new ArrayList<>()).add(t);
        }
        Map<String, Credit> out = new LinkedHashMap<>();
        for (List<Trajectory> group : groups.values()) {
            List<Credit> credit = ofGroup(group.stream().map(t -> Rewards.of(t, detectors.apply(t))).toList(), gamma);
            for (int i = 0; i < group.size(); i++) out.put(group.get(i).episodeId(), credit.get(i));
        }
        return out;
    }

    /** Credit for one group's rewards, in their order: episode advantages, chunk returns, chunk advantages. */
    public static List<Credit> ofGroup(List<Reward> rewards, double gamma) {
        List<Double> advantages = Advantages.episodes(rewards.stream().map(Reward::total).toList());
        List<List<Double>> returns = rewards.stream().map(r -> Advantages.returns(r.steps(), gamma)).toList();
        List<List<Double>> stepAdvantages = Advantages.steps(returns);
        List<Credit> out = new ArrayList<>(rewards.size());
        for (int i = 0; i < rewards.size(); i++) out.add(new Credit(rewards.get(i), advantages.get(i), returns.get(i), stepAdvantages.get(i)));
        return out;
    }
}
