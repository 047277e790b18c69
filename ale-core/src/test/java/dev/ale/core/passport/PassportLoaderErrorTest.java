package dev.ale.core.passport;

import dev.ale.core.AleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad passports: each is refused with {@code source: field.path: reason}. */
class PassportLoaderErrorTest {

    @TempDir
    Path dir;

    /** The message of the PassportException that parsing {@code yaml} as coder.yaml throws. */
    static String errorFor(String yaml) {
        PassportException e = catchThrowableOfType(PassportException.class, () -> PassportLoader.parse(yaml, "coder.yaml"));
        assertThat(e).as("a PassportException for:%n%s", yaml).isNotNull();
        return e.getMessage();
    }

    @Test
    void aMalformedSizeGivesExactlyTheDocumentedMessage() {
        assertThat(errorFor("id: c\nresources:\n  memory: 512XB\n"))
                .isEqualTo("coder.yaml: resources.memory: \"512XB\" is not a size (write e.g. 512MiB or 2GiB)");
    }

    @Test
    void errorsAreTheUsersToFix() {
        PassportException e = catchThrowableOfType(PassportException.class, () -> PassportLoader.parse("id: [", "x.yaml"));

        assertThat(e.fault()).isEqualTo(AleException.Fault.INPUT);
    }

    // ---- unknown fields ----

    @Test
    void unknownTopLevelFieldIsRejectedWithItsNameAndTheAllowedFields() {
        assertThat(errorFor("id: c\nname: coder\n"))
                .isEqualTo("coder.yaml: name: unknown field;"
                        + " allowed at the top level: id, resources, filesystem, devices, egress, protected, detectors, model, hold");
    }

    // ---- model ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tokens: -1        | model.tokens: -1 is out of range: tokens must be between 0 and 1000000000000",
            "tokens: 1.5       | model.tokens: must be a whole number such as 200000, not the number 1.5",
            "tokens: lots      | model.tokens: must be a whole number such as 200000, not",
            "proxy: maybe      | model.proxy:",
            "budget: 10        | model.budget: unknown field; allowed in model: proxy, tokens"})
    void aBadModelSectionNamesTheField(String line, String expected) {
        assertThat(errorFor("id: c\nmodel:\n  " + line + "\n")).startsWith("coder.yaml: " + expected);
    }

    @Test
    void unknownFieldInASectionIsRejectedWithItsPathAndTheAllowedFields() {
        assertThat(errorFor("id: c\nresources:\n  memroy: 1GiB\n"))
                .isEqualTo("coder.yaml: resources.memroy: unknown field (did you mean memory?);"
                        + " allowed in resources: cpus, memory, pids, wallTime, workspaceSize, cpuSustained");
    }

    @ParameterizedTest
    @CsvSource({"wall_time, wallTime", "WorkspaceSize, workspaceSize", "gpus, gpu", "readonly, readOnly"})
    void anUnknownFieldCloseToAnAllowedOneSuggestsIt(String written, String suggested) {
        String section = switch (suggested) {
            case "gpu" -> "devices";
            case "readOnly" -> "filesystem";
            default -> "resources";
        };

        assertThat(errorFor("id: c\n" + section + ":\n  " + written + ": 1\n"))
                .contains(section + "." + written + ": unknown field (did you mean " + suggested + "?)");
    }

    @Test
    void anUnknownFieldFarFromEveryAllowedOneSuggestsNothing() {
        assertThat(errorFor("id: c\nx: 1\n")).doesNotContain("did you mean");
    }

    @Test
    void anUnknownFieldWithAControlCharacterIsEscapedInTheMessage() {
        assertThat(errorFor("id: c\n\"bad\\u0007key\": 1\n"))
                .startsWith("coder.yaml: bad\\u0007key: unknown field")
                .doesNotContain("\u0007");
    }

    // ---- id ----

    @Test
    void aMissingIdIsRequired() {
        assertThat(errorFor("resources: {}\n"))
                .isEqualTo("coder.yaml: id: is required (add a line such as id: coder-1)");
    }

    @Test
    void anIdWithoutAValueIsRejected() {
        assertThat(errorFor("id:\n")).isEqualTo("coder.yaml: id: has no value; give one or delete the line");
    }

    @Test
    void aNumericIdIsRejectedAsNotText() {
        assertThat(errorFor("id: 123\n")).isEqualTo("coder.yaml: id: must be a name such as coder-1, not the number 123");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-lead", ".hidden", "a b", "caf\u00e9", "a/b", "'x y'",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void anIdOutsideTheAllowedCharactersOrLengthIsRejected(String written) {
        assertThat(errorFor("id: " + written + "\n"))
                .startsWith("coder.yaml: id: \"")
                .endsWith("is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    // ---- wrong types ----

    @Test
    void aListWhereAMappingIsExpectedIsRejected() {
        assertThat(errorFor("id: c\nresources: [1, 2]\n"))
                .isEqualTo("coder.yaml: resources: must be a mapping of cpus, memory, pids, wallTime, workspaceSize, cpuSustained, not a list");
    }

    @Test
    void aStringWhereABooleanIsExpectedIsRejected() {
        assertThat(errorFor("id: c\ndevices:\n  gpu: \"false\"\n"))
                .isEqualTo("coder.yaml: devices.gpu: must be true or false, not the string \"false\"");
    }

    @Test
    void aTextWhereAListIsExpectedIsRejected() {
        assertThat(errorFor("id: c\nfilesystem:\n  hidden: /data/secret\n"))
                .isEqualTo("coder.yaml: filesystem.hidden: must be a list of absolute paths, not the string \"/data/secret\"");
    }

    @Test
    void aMappingWhereAListIsExpectedIsRejected() {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: {a: b}\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly: must be a list of \"HOST\" or \"HOST:SANDBOX\" paths, not a mapping");
    }

    @Test
    void aWrongItemInAListIsNamedByItsIndex() {
        assertThat(errorFor("id: c\nfilesystem:\n  hidden: [/a, 5]\n"))
                .isEqualTo("coder.yaml: filesystem.hidden[1]: must be an absolute path, not the number 5");
    }

    @Test
    void aScalarWhereASectionIsExpectedIsRejected() {
        assertThat(errorFor("id: c\ndevices: true\n"))
                .isEqualTo("coder.yaml: devices: must be a mapping of gpu, not the boolean true");
    }

    // ---- cpus ----

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "-1", "1025", "1024.5", "'\"0\"'"})
    void cpusOutsideTheRangeAreRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  cpus: " + written.replace("'", "") + "\n"))
                .startsWith("coder.yaml: resources.cpus: ")
                .endsWith("is out of range: cpus must be more than 0 and at most 1024");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "1e3", "-1", "0x10", "1,5", " "})
    void cpusAsTextThatIsNotADecimalNumberAreRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  cpus: \"" + written + "\"\n"))
                .isEqualTo("coder.yaml: resources.cpus: \"" + written + "\" is not a number of cores (write e.g. 0.5 or 2)");
    }

    @Test
    void cpusOfTheWrongTypeAreRejected() {
        assertThat(errorFor("id: c\nresources:\n  cpus: true\n"))
                .isEqualTo("coder.yaml: resources.cpus: must be a number of cores such as 0.5 or 2, not the boolean true");
    }

    // ---- sizes ----

    @ParameterizedTest
    @ValueSource(strings = {"512XB", "-1MiB", "1e3", "MiB", "1.5 gib", "10 MB extra", "1,5GiB", "0x10", " "})
    void malformedSizesAreRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  workspaceSize: \"" + written + "\"\n"))
                .isEqualTo("coder.yaml: resources.workspaceSize: \"" + written + "\" is not a size (write e.g. 512MiB or 2GiB)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "memory        | 4194303   | 4194303 is too small: the minimum is 4MiB",
            "memory        | 0         | 0 is too small: the minimum is 4MiB",
            "memory        | -1        | -1 is too small: the minimum is 4MiB",
            "memory        | 1MiB      | \"1MiB\" is too small: the minimum is 4MiB",
            "memory        | 0B        | \"0B\" is too small: the minimum is 4MiB",
            "workspaceSize | 512KiB    | \"512KiB\" is too small: the minimum is 1MiB"})
    void sizesBelowTheMinimumAreRejected(String field, String written, String reason) {
        assertThat(errorFor("id: c\nresources:\n  " + field + ": " + written + "\n"))
                .isEqualTo("coder.yaml: resources." + field + ": " + reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "99999999TiB          | \"99999999TiB\" is too large",
            "99999999999999999999 | 99999999999999999999 is too large"})
    void sizesTooLargeForTheMachineAreRejected(String written, String reason) {
        assertThat(errorFor("id: c\nresources:\n  memory: " + written + "\n"))
                .isEqualTo("coder.yaml: resources.memory: " + reason);
    }

    @Test
    void aFractionalNumberOfBytesIsRejected() {
        assertThat(errorFor("id: c\nresources:\n  memory: 1.5\n"))
                .isEqualTo("coder.yaml: resources.memory: 1.5 is not a whole number of bytes (write e.g. 1.5GiB as text, or 4096)");
    }

    @Test
    void aSizeOfTheWrongTypeIsRejected() {
        assertThat(errorFor("id: c\nresources:\n  memory: [1]\n"))
                .isEqualTo("coder.yaml: resources.memory: must be a size such as 512MiB or 2GiB, not a list");
    }

    // ---- pids ----

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "4194305", "99999999999999999999"})
    void pidsOutsideTheRangeAreRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  pids: " + written + "\n"))
                .isEqualTo("coder.yaml: resources.pids: " + written + " is out of range: pids must be between 1 and 4194304");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2.5       | the number 2.5",
            "'\"256\"' | the string \"256\"",
            "[256]     | a list"})
    void pidsThatAreNotAWholeNumberAreRejected(String written, String described) {
        assertThat(errorFor("id: c\nresources:\n  pids: " + written + "\n"))
                .isEqualTo("coder.yaml: resources.pids: must be a whole number such as 256, not " + described);
    }

    // ---- cpuSustained ----

    @Test
    void cpuSustainedShorterThanASecondIsRefusedWithTheMinimum() {
        assertThat(errorFor("id: c\nresources:\n  cpuSustained: 500ms\n"))
                .isEqualTo("coder.yaml: resources.cpuSustained: \"500ms\" is too short: the minimum is 1s"
                        + " (how long the sandbox may burn a core with no output)");
    }

    @Test
    void cpuSustainedWithoutAUnitIsRefusedLikeAnyDuration() {
        assertThat(errorFor("id: c\nresources:\n  cpuSustained: 120\n"))
                .isEqualTo("coder.yaml: resources.cpuSustained: 120 has no unit (write e.g. 30s, 10m or 2h)");
    }

    // ---- wallTime ----

    @Test
    void aWallTimeWithoutAUnitIsRejected() {
        assertThat(errorFor("id: c\nresources:\n  wallTime: 600\n"))
                .isEqualTo("coder.yaml: resources.wallTime: 600 has no unit (write e.g. 30s, 10m or 2h)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10 minutes", "1d", "-5s", "1e3s", "10M", "s", " "})
    void malformedWallTimesAreRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  wallTime: \"" + written + "\"\n"))
                .isEqualTo("coder.yaml: resources.wallTime: \"" + written
                        + "\" is not a duration (write e.g. 500ms, 30s, 10m or 2h)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "0.4ms"})
    void aWallTimeOfLessThanAMillisecondIsRejected(String written) {
        assertThat(errorFor("id: c\nresources:\n  wallTime: " + written + "\n"))
                .isEqualTo("coder.yaml: resources.wallTime: \"" + written + "\" is too short: the minimum is 1ms");
    }

    @Test
    void aWallTimeTooLongForTheMachineIsRejected() {
        assertThat(errorFor("id: c\nresources:\n  wallTime: 99999999999999999h\n"))
                .isEqualTo("coder.yaml: resources.wallTime: \"99999999999999999h\" is too long");
    }

    // ---- documents that are not passports ----

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# nothing but a comment\n", "---\n", "~\n"})
    void anEmptyDocumentIsRejected(String yaml) {
        assertThat(errorFor(yaml)).isEqualTo("coder.yaml: is empty; a passport needs at least an id, such as: id: coder-1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'- a\\n- b\\n'    | a list",
            "just some text    | the string \"just some text\"",
            "42                | the number 42"})
    void aDocumentThatIsNotAMappingIsRejected(String yaml, String described) {
        assertThat(errorFor(yaml.replace("\\n", "\n")))
                .isEqualTo("coder.yaml: must be a mapping of id, resources, filesystem, devices, egress, protected, detectors, model, hold, not " + described);
    }

    @Test
    void aYamlSyntaxErrorIsReportedWithItsLineAndColumn() {
        assertThat(errorFor("id: c\nresources: [cpus\n"))
                .isEqualTo("coder.yaml: line 3, column 1: not valid YAML: expected ',' or ']', but got <stream end>");
    }

    @Test
    void tabIndentationIsReportedAtItsLine() {
        assertThat(errorFor("id: c\nresources:\n\tcpus: 1\n"))
                .startsWith("coder.yaml: line 3, column 1: not valid YAML: ")
                .contains("TAB");
    }

    @Test
    void aSyntaxErrorMessageIsOneLineWithoutAStackTrace() {
        String message = errorFor("id: c\n  bad: indent\n");

        assertThat(message)
                .startsWith("coder.yaml: line 2, column 6: not valid YAML: mapping values are not allowed here")
                .doesNotContain("\n")
                .doesNotContain("\tat ")
                .doesNotContainIgnoringCase("exception");
    }

    @Test
    void aDuplicateTopLevelKeyIsRejectedWithItsLine() {
        assertThat(errorFor("id: a\nid: b\n")).isEqualTo("coder.yaml: id: appears twice (line 2); keep one");
    }

    @Test
    void aDuplicateKeyInASectionIsRejectedWithItsPath() {
        assertThat(errorFor("id: a\nresources:\n  memory: 1GiB\n  cpus: 1\n  memory: 2GiB\n"))
                .isEqualTo("coder.yaml: resources.memory: appears twice (line 5); keep one");
    }

    @Test
    void moreThanOneDocumentInAFileIsRejected() {
        assertThat(errorFor("id: a\n---\nid: b\n"))
                .isEqualTo("coder.yaml: holds more than one YAML document (---); a passport is one");
    }

    @Test
    void anAliasIsRefusedRatherThanReadAsItsName() {
        assertThat(errorFor("id: &name coder\nresources:\n  memory: *name\n"))
                .isEqualTo("coder.yaml: resources.memory: uses the alias *name (line 3);"
                        + " anchors and aliases are not supported, write the value out");
    }

    @Test
    void aDeeplyNestedDocumentIsRefusedWithoutExhaustingTheStack() {
        assertThat(errorFor("id: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n"))
                .isEqualTo("coder.yaml: nests deeper than 64 levels; a passport needs five");
    }

    @Test
    void textOverTheSizeLimitIsRefused() {
        assertThat(errorFor("id: a\n#" + "x".repeat(PassportLoader.MAX_BYTES)))
                .isEqualTo("coder.yaml: is larger than 1MiB, the limit for a passport; check that this is the right file");
    }

    @Test
    void theSizeLimitCountsBytesNotCharacters() {
        String twoBytesEach = "\u00e9".repeat(PassportLoader.MAX_BYTES / 2);

        assertThat(errorFor("id: a\n#" + twoBytesEach)).contains("is larger than 1MiB");
    }

    // ---- paths ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rootfs: /srv/../etc                   | filesystem.rootfs: \"/srv/../etc\" contains a '..' component",
            "hidden: [/data/../etc/shadow]         | filesystem.hidden[0]: \"/data/../etc/shadow\" contains a '..' component",
            "readOnly: [\"/usr/../etc:/data\"]     | filesystem.readOnly[0]: host path \"/usr/../etc\" contains a '..' component",
            "readOnly: [\"/usr:/data/../proc\"]    | filesystem.readOnly[0]: sandbox path \"/data/../proc\" contains a '..' component",
            "hidden: [/data/./secret]              | filesystem.hidden[0]: \"/data/./secret\" contains a '.' component"})
    void pathsWithDotOrDotDotComponentsAreRefused(String line, String expected) {
        assertThat(errorFor("id: c\nfilesystem:\n  " + line + "\n"))
                .isEqualTo("coder.yaml: " + expected + "; write the path it stands for");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "rootfs: srv/rootfs          | filesystem.rootfs: \"srv/rootfs\"",
            "hidden: [~/.ssh]            | filesystem.hidden[0]: \"~/.ssh\"",
            "readOnly: [\"usr:/data\"]   | filesystem.readOnly[0]: host path \"usr\"",
            "readOnly: [\"/usr:data\"]   | filesystem.readOnly[0]: sandbox path \"data\""})
    void relativePathsAreRefused(String line, String expected) {
        assertThat(errorFor("id: c\nfilesystem:\n  " + line + "\n"))
                .isEqualTo("coder.yaml: " + expected + " is not an absolute path; write it from /");
    }

    @Test
    void aControlCharacterInAPathIsRefusedAndShownEscaped() {
        assertThat(errorFor("id: c\nfilesystem:\n  hidden: [\"/a\\0b\"]\n"))
                .isEqualTo("coder.yaml: filesystem.hidden[0]: \"/a\\u0000b\" contains a control character");
    }

    @Test
    void anEmptyItemInAListIsRefused() {
        assertThat(errorFor("id: c\nfilesystem:\n  hidden: [/a, \"\"]\n"))
                .isEqualTo("coder.yaml: filesystem.hidden[1]: has no value; give one or remove the item");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "devices    | gpu      | ''",
            "resources  | cpus     | ~",
            "resources  | memory   | '\"\"'",
            "resources  | pids     | ''",
            "resources  | wallTime | ''",
            "filesystem | rootfs   | ''"})
    void aFieldLeftWithoutAValueIsRefusedRatherThanDefaulted(String section, String field, String written) {
        assertThat(errorFor("id: c\n" + section + ":\n  " + field + ": " + written + "\n"))
                .isEqualTo("coder.yaml: " + section + "." + field + ": has no value; give one or delete the line");
    }

    @Test
    void hidingTheWholeRootIsRefused() {
        assertThat(errorFor("id: c\nfilesystem:\n  hidden: [/]\n"))
                .isEqualTo("coder.yaml: filesystem.hidden[0]: \"/\" cannot be hidden: nothing would be left");
    }

    @Test
    void aRootfsThatDoesNotExistIsRefused() {
        Path missing = dir.resolve("no-such-rootfs");

        assertThat(errorFor("id: c\nfilesystem:\n  rootfs: " + missing + "\n"))
                .isEqualTo("coder.yaml: filesystem.rootfs: \"" + missing + "\" does not exist");
    }

    @Test
    void aRootfsThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("rootfs.tar"), "not a directory");

        assertThat(errorFor("id: c\nfilesystem:\n  rootfs: " + file + "\n"))
                .isEqualTo("coder.yaml: filesystem.rootfs: \"" + file + "\" is not a directory");
    }

    @Test
    void aReadOnlyHostPathThatDoesNotExistIsRefused() {
        Path missing = dir.resolve("no-such-models");

        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [\"" + missing + ":/models\"]\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly[0]: host path \"" + missing + "\" does not exist");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/proc", "/proc/sys", "/dev", "/dev/shm", "/workspace", "/workspace/in", "/tmp", "/tmp/x"})
    void aReadOnlyBindOnAReservedSandboxPathIsRefused(String target) {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [\"/usr:" + target + "\"]\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly[0]: sandbox path \"" + target
                        + "\" is reserved: it must not be /, nor be or lie under /proc, /dev, /workspace or /tmp");
    }

    @Test
    void aHostOnlyBindIsCheckedAtTheSandboxPathItImplies() {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [/tmp]\n"))
                .startsWith("coder.yaml: filesystem.readOnly[0]: sandbox path \"/tmp\" is reserved");
    }

    @Test
    void aReadOnlyEntryWithTwoColonsIsRefused() {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [\"/usr:/a:/b\"]\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly[0]: \"/usr:/a:/b\" has more than one ':'; write \"HOST\" or \"HOST:SANDBOX\"");
    }

    @Test
    void aReadOnlyEntryWithAnEmptySideIsRefused() {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [\"/usr:\"]\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly[0]: sandbox path is empty; write an absolute path such as /data");
    }

    @Test
    void twoReadOnlyBindsOnTheSameSandboxPathAreRefused() {
        assertThat(errorFor("id: c\nfilesystem:\n  readOnly: [\"/usr:/data\", \"/etc:/data/\"]\n"))
                .isEqualTo("coder.yaml: filesystem.readOnly[1]: sandbox path \"/data\" is already bound by"
                        + " filesystem.readOnly[0]; bind each sandbox path once");
    }
}
