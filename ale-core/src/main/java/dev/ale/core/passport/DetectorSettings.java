package dev.ale.core.passport;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import java.util.EnumMap;
import java.util.Map;

/**
 * The action and penalty for every category. A passport names only what it changes; the rest
 * keep {@link #defaults()}: the ROME acts (mining, tunnel, reverse shell, metadata, probe) kill,
 * egress outside the allowlist is blocked, everything else is an alert.
 */
public record DetectorSettings(Map<Category, DetectorSetting> byCategory) {

    public DetectorSettings {
        EnumMap<Category, DetectorSetting> all = new EnumMap<>(Category.class);
        for (Category c : Category.values()) all.put(c, byCategory.getOrDefault(c, defaultFor(c)));
        byCategory = Map.copyOf(all);
    }

    public static DetectorSettings defaults() {
        return new DetectorSettings(Map.of());
    }

    public static DetectorSetting defaultFor(Category category) {
        return switch (category) {
            case MINING, TUNNEL, REVERSE_SHELL, METADATA, PROBE -> new DetectorSetting(Action.KILL, 1.0);
            case EGRESS_DENIED -> new DetectorSetting(Action.BLOCK, 0.2);
            case CREDENTIAL, EXFILTRATION, TAMPER -> new DetectorSetting(Action.ALERT, 0.5);
            case PERSISTENCE, GPU, RESOURCE -> new DetectorSetting(Action.ALERT, 0.2);
        };
    }

    public DetectorSetting of(Category category) {
        return byCategory.get(category);
    }

    public Action actionFor(Category category) {
        return of(category).action();
    }

    public DetectorSettings with(Category category, DetectorSetting setting) {
        EnumMap<Category, DetectorSetting> copy = new EnumMap<>(byCategory);
        copy.put(category, setting);
        return new DetectorSettings(copy);
    }
}
