package dev.ale.core.passport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "512MiB    | 536870912",
            "2GiB      | 2147483648",
            "1.5GiB    | 1610612736",
            "1.5GB     | 1500000000",
            "4096      | 4096",
            "0         | 0",
            "7B        | 7",
            "1KB       | 1000",
            "1KiB      | 1024",
            "10 MiB    | 10485760",
            "' 2TiB '  | 2199023255552",
            "1TB       | 1000000000000",
            "8191TiB   | 9006099743113216"})
    void sizesParseInBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ByteSize.tryParse(text)).contains(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-1MiB", "1e3", "", "MiB", "1mib", "1 MB extra", "1EiB", "0x10", "1,5GiB", "1.GiB", ".5GiB", "1K"})
    void textThatIsNotASizeIsRefused(String text) {
        assertThat(ByteSize.tryParse(text)).isEmpty();
        assertThat(ByteSize.isWellFormed(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999TiB", "99999999999999999999", "9223372036854775807"})
    void sizesBeyondALongAreRefusedButRecognisedAsSizes(String text) {
        assertThat(ByteSize.tryParse(text)).isEmpty();
        assertThat(ByteSize.isWellFormed(text)).isTrue();
    }

    @Test
    void parseNamesTheTextItCannotRead() {
        assertThatIllegalArgumentException().isThrownBy(() -> ByteSize.parse("512XB")).withMessage("not a size: 512XB");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0             | 0B",
            "1023          | 1023B",
            "1024          | 1KiB",
            "536870912     | 512MiB",
            "1610612736    | 1536MiB",
            "1099511627776 | 1TiB",
            "1125899906842624 | 1024TiB",
            "1536          | 1.5KiB",
            "1500000000    | 1.4GiB"})
    void formatUsesTheLargestExactUnitElseOneDecimal(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0                   | 0B",
            "1536                | 1536B",
            "1500000000          | 1500000000B",
            "1610612736          | 1536MiB",
            "9223372036854775807 | 9223372036854775807B"})
    void formatExactNeverRounds(long bytes, String text) {
        assertThat(ByteSize.formatExact(bytes)).isEqualTo(text);
    }

    @Test
    void formatExactReadsBackAsTheSameNumber() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            // Up to 2^53: ByteSize parses through a double, which holds every whole number only that far.
            long bytes = random.nextBoolean() ? random.nextLong(1L << 53) : random.nextLong(1L << 30) << (10 * random.nextInt(4));

            assertThat(ByteSize.tryParse(ByteSize.formatExact(bytes))).as("bytes %d", bytes).contains(bytes);
        }
    }
}
