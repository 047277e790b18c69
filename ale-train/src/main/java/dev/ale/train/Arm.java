package dev.ale.train;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.DetectorSetting;
import dev.ale.core.passport.DetectorSettings;
import dev.ale.core.passport.Passport;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A training arm: a name and what it does to each task's passport before training. The two of
 * the ROME experiment: {@link #monitorOn()} keeps the passports as written; {@link #monitorOff()}
 * makes every detector an alert with no penalty, so events are still recorded but neither stop
 * nor cost anything.
 */
public record Arm(String name, UnaryOperator<Passport> passports) {

    public static Arm monitorOn() {
        return new Arm("monitor-on", UnaryOperator.identity());
    }

    public static Arm monitorOff() {
        return new Arm("monitor-off", p -> {
            Map<Category, DetectorSetting> all = new EnumMap<>(Category.class);
            for (Category c : Category.values()) all.put(c, new DetectorSetting(SafetyEvent.Action.ALERT, 0));
            return p.withDetectors(new DetectorSettings(all));
        });
    }
}
