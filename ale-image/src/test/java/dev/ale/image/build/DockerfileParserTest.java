package dev.ale.image.build;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Dockerfile parser and Docker's word substitution: pure, no files, no sandboxes. */
class DockerfileParserTest {

    static Dockerfile parse(String text) {
        return Dockerfile.parse(text, "Dockerfile");
    }

    static Instruction only(String text) {
        return parse("FROM base\n" + text).stages().getFirst().instructions().getFirst();
    }

    @Test
    void continuationLinesJoinAndKeepTheirRawTextForPrinting() {
        Instruction run = only("RUN apt-get update && \\\n    apt-get install -y \\\n      curl\n");
        assertThat(run.keyword()).isEqualTo("RUN");
        assertThat(run.line()).isEqualTo(2);
        assertThat(run.args()).isEqualTo("apt-get update &&     apt-get install -y       curl");
        assertThat(run.lines()).containsExactly("RUN apt-get update && \\", "    apt-get install -y \\", "      curl");
    }

    @Test
    void commentsAndBlankLinesInsideAContinuationAreDroppedAsDockerDoes() {
        Instruction run = only("RUN echo a \\\n# a comment\n\n    b\n");
        assertThat(run.args()).isEqualTo("echo a     b");
        Dockerfile df = parse("# top comment\nFROM base\n\n  # indented comment\nRUN true\n");
        assertThat(df.stages().getFirst().instructions()).hasSize(1);
    }

    @Test
    void theEscapeDirectiveChangesTheContinuationCharacter() {
        Dockerfile df = parse("# escape=`\nFROM base\nRUN dir C:\\ `\n  && echo done\n");
        assertThat(df.escape()).isEqualTo('`');
        Instruction run = df.stages().getFirst().instructions().getFirst();
        assertThat(run.args()).isEqualTo("dir C:\\   && echo done");
        assertThat(run.line()).isEqualTo(3);
    }

    @Test
    void aDirectiveAfterAnInstructionIsAComment() {
        Dockerfile df = parse("FROM base\n# escape=`\nRUN echo \\\n x\n");
        assertThat(df.escape()).isEqualTo('\\');
        assertThat(df.stages().getFirst().instructions().getFirst().args()).isEqualTo("echo  x");
    }

    @Test
    void aBadEscapeDirectiveIsRefusedWithItsLine() {
        assertThatThrownBy(() -> parse("# escape=x\nFROM base\n")).isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:1: the escape directive takes \\ or `, not x");
    }

    @Test
    void execAndShellFormsAreTold() {
        assertThat(only("CMD [\"a\", \"b c\"]").json()).contains(List.of("a", "b c"));
        assertThat(only("CMD echo [x]").json()).isEmpty();
        // not valid JSON: shell form, as Docker reads it
        assertThat(only("RUN [\"a\", b]").json()).isEmpty();
    }

    @Test
    void argBeforeFromIsGlobalAndAnythingElseBeforeFromIsRefused() {
        Dockerfile df = parse("ARG V=1\nFROM base:${V}\n");
        assertThat(df.globalArgs()).hasSize(1);
        assertThat(df.stages().getFirst().base()).isEqualTo("base:${V}");
        assertThatThrownBy(() -> parse("RUN true\nFROM base\n")).hasMessage("Dockerfile:1: RUN: comes before the first FROM (only ARG may)");
        assertThatThrownBy(() -> parse("# nothing\n")).hasMessageContaining("no FROM");
    }

    @Test
    void stagesHaveNamesAndIndexes() {
        Dockerfile df = parse("FROM a AS Build\nRUN make\nFROM b\nCOPY --from=build /out /out\n");
        assertThat(df.stages()).hasSize(2);
        assertThat(df.stages().get(0).name()).contains("build");
        assertThat(df.stages().get(1).name()).isEmpty();
        assertThat(df.stages().get(1).instructions().getFirst().flags()).isEqualTo(Map.of("from", "build"));
        assertThatThrownBy(() -> parse("FROM a AS x\nFROM b AS x\n")).hasMessage("Dockerfile:2: FROM: stage name x is used twice");
        assertThatThrownBy(() -> parse("FROM a b c d\n")).hasMessageContaining("Dockerfile:1: FROM: takes an image");
    }

    @Test
    void unknownAndRefusedInstructionsNameFileLineAndReason() {
        assertThatThrownBy(() -> parse("FROM a\nRUN true\nFROBNICATE x\n")).isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:3: unknown instruction FROBNICATE");
        assertThatThrownBy(() -> parse("FROM a\nVOLUME /data\n")).hasMessageStartingWith("Dockerfile:2: VOLUME is refused: ALE sandboxes have no volumes");
        assertThatThrownBy(() -> parse("FROM a\nONBUILD RUN x\n")).hasMessageStartingWith("Dockerfile:2: ONBUILD is refused");
        assertThatThrownBy(() -> parse("FROM a\nHEALTHCHECK CMD curl x\n")).hasMessageStartingWith("Dockerfile:2: HEALTHCHECK: is refused");
        assertThat(only("HEALTHCHECK NONE").keyword()).isEqualTo("HEALTHCHECK");
    }

    @Test
    void addOfAUrlIsRefusedAndALocalAddIsNot() {
        assertThatThrownBy(() -> parse("FROM a\nADD https://example.com/x.tgz /opt/\n"))
                .hasMessageStartingWith("Dockerfile:2: ADD: ADD of a URL or git repository (https://example.com/x.tgz) is refused");
        assertThatThrownBy(() -> parse("FROM a\nADD [\"git@github.com:o/r.git\", \"/src\"]\n")).hasMessageContaining("is refused");
        assertThat(only("ADD files/http-notes.txt /opt/").keyword()).isEqualTo("ADD");
    }

    @Test
    void heredocsAreRefusedAndShiftOperatorsAreNot() {
        assertThatThrownBy(() -> parse("FROM a\nRUN <<EOF\necho hi\nEOF\n")).hasMessageStartingWith("Dockerfile:2: RUN: heredocs (<<EOF) are not supported");
        assertThatThrownBy(() -> parse("FROM a\nCOPY <<-\"END\" /x\n")).hasMessageContaining("heredocs");
        assertThat(only("RUN echo $((1 << 2)) \"a<<b\"").args()).contains("<<");
        assertThat(only("RUN cat x <<< word").keyword()).isEqualTo("RUN");
    }

    @Test
    void flagsAreCheckedPerInstruction() {
        Instruction copy = only("COPY --chown=1000:1000 --chmod=0755 a /b");
        assertThat(copy.flags()).isEqualTo(Map.of("chown", "1000:1000", "chmod", "0755"));
        assertThatThrownBy(() -> only("RUN --mount=type=cache,target=/root/.cache pip install x"))
                .hasMessageContaining("Dockerfile:2: RUN: RUN --mount");
        assertThatThrownBy(() -> only("RUN --network=host curl x")).hasMessageContaining("every RUN goes through ALE's gateway");
        assertThatThrownBy(() -> only("COPY --bogus a b")).hasMessage("Dockerfile:2: COPY: unknown flag --bogus");
        // names are the image's, looked up when the step runs (ImageBuildTest); only the shape is checked here
        assertThat(only("COPY --chown=app:staff a b").flags()).isEqualTo(Map.of("chown", "app:staff"));
        assertThat(only("COPY --chown=$OWNER a b").flags()).isEqualTo(Map.of("chown", "$OWNER"));
        assertThatThrownBy(() -> only("COPY --chown=app:staff:x a b"))
                .hasMessage("Dockerfile:2: COPY: --chown=app:staff:x: say user, uid, user:group or uid:gid");
        assertThatThrownBy(() -> only("COPY --chown=:50 a b")).hasMessage("Dockerfile:2: COPY: --chown=:50: say user, uid, user:group or uid:gid");
        assertThatThrownBy(() -> only("COPY --chmod=u+x a b")).hasMessageContaining("--chmod takes an octal mode");
        assertThatThrownBy(() -> only("ADD --from=x a b")).hasMessage("Dockerfile:2: ADD: unknown flag --from");
        // a flag-looking word after the arguments is an argument
        assertThat(only("RUN echo --mount").args()).isEqualTo("echo --mount");
    }

    @Test
    void missingArgumentsAreRefused() {
        assertThatThrownBy(() -> only("COPY onlyone")).hasMessage("Dockerfile:2: COPY: needs at least one source and a destination");
        assertThatThrownBy(() -> only("SHELL /bin/bash -c")).hasMessageContaining("takes a JSON array");
        assertThatThrownBy(() -> only("WORKDIR")).hasMessageContaining("needs an argument");
        assertThatThrownBy(() -> only("RUN")).hasMessageContaining("needs a command");
    }

    @Test
    void keywordsAreCaseInsensitive() {
        assertThat(parse("from base\nrun true\n").stages().getFirst().instructions().getFirst().keyword()).isEqualTo("RUN");
    }

    // ---- substitution

    static Words words(Map<String, String> vars) {
        return new Words(vars, '\\', only("ENV X=1"));
    }

    @Test
    void variablesAreSubstitutedInAllTheirForms() {
        Words w = words(Map.of("A", "1", "EMPTY", ""));
        assertThat(w.word("$A ${A} x${A}y")).isEqualTo("1 1 x1y");
        assertThat(w.word("${MISSING:-def} ${EMPTY:-def} ${EMPTY-def} ${A:-def}")).isEqualTo("def def  1");
        assertThat(w.word("${A:+alt} ${MISSING:+alt}|")).isEqualTo("alt |");
        assertThat(w.word("$MISSING|")).isEqualTo("|");
        assertThatThrownBy(() -> w.word("${MISSING:?must be set}")).hasMessageContaining("MISSING: must be set");
        assertThatThrownBy(() -> w.word("${A")).hasMessageContaining("unterminated ${");
        assertThatThrownBy(() -> w.word("${A/x/y}")).hasMessageContaining("unsupported substitution");
    }

    @Test
    void quotesAndEscapesWorkAsInDocker() {
        Words w = words(Map.of("A", "1"));
        assertThat(w.words("a=\"x $A y\" b='$A' c=\\$A d")).containsExactly("a=x 1 y", "b=$A", "c=$A", "d");
        assertThat(w.word("\"quoted \\\" mark\"")).isEqualTo("quoted \" mark");
        assertThat(w.plain("[$A '$A']")).isEqualTo("[1 '1']");
        assertThatThrownBy(() -> w.words("'open")).hasMessageContaining("unterminated single quote");
    }

    @Test
    void aLoneDollarStaysLiteral() {
        assertThat(words(Map.of()).word("cost $ 5 $1")).isEqualTo("cost $ 5 $1");
    }

    @Test
    void jsonArraysOfNonStringsAreShellForm() {
        assertThat(Dockerfile.jsonArray("[1, 2]")).isEqualTo(Optional.empty());
        assertThat(Dockerfile.jsonArray("[]")).contains(List.of());
    }
}
