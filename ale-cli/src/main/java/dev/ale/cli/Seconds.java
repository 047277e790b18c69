package dev.ale.cli;

import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --timeout SECONDS}: a positive number of seconds, decimals allowed ({@code 30}, {@code 0.5}). */
final class Seconds implements ITypeConverter<Duration> {

    /** A day; longer than any sandbox's wall time is meant to be. */
    private static final BigDecimal MAX = BigDecimal.valueOf(86_400);

    @Override
    public Duration convert(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw notSeconds(text);
        }
        if (seconds.signum() <= 0) throw notSeconds(text);
        if (seconds.compareTo(MAX) > 0) {
            throw new TypeConversionException("'" + text + "' is more than a day; a sandbox's wall time ends it sooner");
        }
        long millis = seconds.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        return Duration.ofMillis(millis);
    }

    private static TypeConversionException notSeconds(String text) {
        return new TypeConversionException("'" + text + "' is not a positive number of seconds (write e.g. 30 or 0.5)");
    }
}
