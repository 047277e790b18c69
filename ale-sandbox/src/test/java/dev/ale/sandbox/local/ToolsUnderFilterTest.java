package dev.ale.sandbox.local;

import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What agents run still works under the seccomp filter: compilers, interpreters and runtimes
 * start threads (clone3 falls back to clone), processes, shared memory, sockets and event loops.
 */
@Tag("root")
class ToolsUnderFilterTest {

    /** Room for a JVM that compiles a source file in memory. */
    private static final Resources ROOMY = new Resources(1.0, ByteSize.parse("1GiB"), 256, Duration.ofMinutes(3), ByteSize.parse("128MiB"));

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void gccBuildsAndRunsAProgramWithThreadsAndAChild() {
        Sandbox s = tb.sandbox(ROOMY);

        ExecResult r = bash(s, """
                cat > t.c <<'C'
                #include <pthread.h>
                #include <stdio.h>
                #include <stdlib.h>
                #include <sys/wait.h>
                #include <unistd.h>
                static void *work(void *arg) { *(int *) arg *= 2; return NULL; }
                int main(void) {
                    int v = 21;
                    pthread_t t;
                    if (pthread_create(&t, NULL, work, &v) || pthread_join(t, NULL)) return 1;
                    fflush(stdout);
                    if (fork() == 0) { execlp("true", "true", (char *) NULL); _exit(9); }
                    int st;
                    wait(&st);
                    printf("%d %d\\n", v, WEXITSTATUS(st));
                    return 0;
                }
                C
                gcc -O2 -pthread -o t t.c && ./t
                """);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("42 0\n");
    }

    @Test
    void pythonRunsThreadsProcessPoolsSharedMemoryAndAsyncio() {
        Sandbox s = tb.sandbox(ROOMY);

        ExecResult r = s.exec(dev.ale.core.sandbox.ExecRequest.of("/usr/bin/python3", "-c", """
                import asyncio, multiprocessing, socket, subprocess, threading
                from multiprocessing import shared_memory
                def square(x):
                    return x * x
                if __name__ == "__main__":
                    out = []
                    t = threading.Thread(target=lambda: out.append("thread")); t.start(); t.join()
                    with multiprocessing.Pool(2) as pool:   # semaphores live in /dev/shm
                        out.append(sum(pool.map(square, range(10))))
                    shm = shared_memory.SharedMemory(create=True, size=1 << 20); shm.buf[0] = 7
                    out.append(shm.buf[0]); shm.close(); shm.unlink()
                    out.append(subprocess.run(["echo", "child"], capture_output=True, text=True).stdout.strip())
                    async def main():
                        await asyncio.sleep(0.01)
                        return "async"
                    out.append(asyncio.run(main()))
                    out.append(len(socket.getaddrinfo("localhost", 80)) > 0)
                    print(out)
                """));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("['thread', 285, 7, 'child', 'async', True]");
    }

    @Test
    void gitInitsCommitsAndReadsItsLog() {
        Sandbox s = tb.sandbox();

        ExecResult r = bash(s, """
                set -e
                git init -q repo && cd repo
                git config user.email agent@example.com && git config user.name agent
                echo one > f && git add f && git commit -qm one
                echo two >> f && git commit -qam two
                git log --format=%s | tr '\\n' ' '
                git gc -q && git fsck --no-progress && echo ok
                """);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("two one ok\n");
    }

    @Test
    void nodeRunsFilesWorkersChildProcessesAndSockets() {
        Sandbox s = tb.sandbox(ROOMY);

        ExecResult r = s.exec(dev.ale.core.sandbox.ExecRequest.of("node", "-e", """
                const fs = require('fs/promises'), os = require('os'), net = require('net');
                const { Worker } = require('worker_threads');
                const { execSync } = require('child_process');
                (async () => {
                  await fs.writeFile('/tmp/n.txt', 'file');
                  const out = [await fs.readFile('/tmp/n.txt', 'utf8')];
                  out.push(await new Promise((ok, bad) => {
                    const w = new Worker('require("worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
                    w.on('message', ok); w.on('error', bad);
                  }));
                  out.push(execSync('echo child').toString().trim());
                  out.push(Object.keys(os.networkInterfaces()).includes('lo'));
                  const server = net.createServer(c => c.end('tcp')).listen(0, '127.0.0.1');
                  await new Promise(ok => server.on('listening', ok));
                  out.push(await new Promise(ok => net.connect(server.address().port, '127.0.0.1').on('data', d => ok(d.toString()))));
                  server.close();
                  console.log(JSON.stringify(out));
                })();
                """));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("[\"file\",42,\"child\",true,\"tcp\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"})
    void javaCompilesAndRunsASourceFileWithThreadsAndAChild(String java) {
        assertThat(Path.of(java)).as("the JDK is installed on this host").satisfies(p -> assertThat(Files.isExecutable(p)).isTrue());
        Sandbox s = tb.sandbox(ROOMY);

        ExecResult r = bash(s, """
                cat > Hello.java <<'J'
                public class Hello {
                    public static void main(String[] args) throws Exception {
                        int[] v = {21};
                        Thread t = new Thread(() -> v[0] *= 2);
                        t.start();
                        t.join();
                        Process p = new ProcessBuilder("echo", "child").start();
                        String child = new String(p.getInputStream().readAllBytes()).strip();
                        p.waitFor();
                        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/j.txt"), "file");
                        System.out.println(v[0] + " " + child + " " + java.nio.file.Files.readString(java.nio.file.Path.of("/tmp/j.txt")));
                    }
                }
                J
                "$0" -Xshare:off Hello.java
                """.replace("\"$0\"", java));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("42 child file\n");
    }
}
