/*
 * ale-init: the resident init of one local sandbox.
 *
 * bubblewrap starts it with --as-pid-1 in the sandbox's namespaces, cgroup and uid, with no
 * capabilities. It reads requests from fd 0 and writes responses to fd 1 (pipes to the JVM
 * that made the sandbox, nothing else holds them) and starts each tool call by fork+exec:
 *
 *   ale-init (pid 1: unkillable from inside, not dumpable)
 *     └─ ale-call  (per call: setsid, child subreaper, the call's "init")
 *          └─ the call's command  (its "main")
 *
 * The per-call process mirrors bubblewrap's own init in the per-call path: orphans of the call
 * are reparented to it, not to pid 1, and when the command ends it kills whatever of the call
 * is left, so a call's processes never outlive it, as when each call had its own pid namespace.
 *
 * Wire format (all integers big-endian u32 unless said otherwise):
 *   request  = len type:u8 call body        (len counts type, call and body)
 *     START  body = argc {n bytes}*argc envc {n "K=V"}*envc n cwd n stdin
 *     OPEN   body = as START; the call's stdin stays open for INPUT until CLOSE_INPUT (a session)
 *     INPUT  body = bytes for an open call's stdin, written in order
 *     CLOSE_INPUT body = (empty): its stdin ends (the process reads EOF) once what came is written
 *     SIGNAL body = signal number: sent to the call's command
 *     KILL   body = (empty)
 *     WRITE  body = n path, more:u32, n bytes: the call's process (no exec) writes a file, as the file API's
 *            shell script did: the path is resolved as `realpath -m` would (relative to /workspace), refused
 *            unless it ends under /workspace, /tmp or /tests, its parent made as by `mkdir -p`, and the file
 *            truncated and written with the bytes; when more is 1, INPUT frames bring the rest until
 *            CLOSE_INPUT. No more than WRITE_WINDOW bytes of a write may wait here (TAKEN paces the JVM).
 *     READ   body = n path, limit:u32: the call's process resolves the path the same way and copies the
 *            file to its stdout, at most limit + 1 bytes (one more says "larger than the limit")
 *   response = len type:u8 call body
 *     STARTED body = pid of the call's process, pid of its command (in the sandbox's pid namespace),
 *             and for an OPEN call the inode of its stdin socket (u64): the host's sweep knows that
 *             socket as ALE's, not a network peer's (a shell on a socket is otherwise a reverse shell)
 *     STDOUT / STDERR body = bytes
 *     EXIT   body = exit code as i32 (128 + signal when killed)
 *     FAIL   body = message
 *     TAKEN  body = n: bytes of a WRITE call's data passed on to its process (the JVM may send that many more)
 * A malformed request ends the init (and with it the sandbox's pid namespace): the JVM side then
 * fails closed instead of guessing. A request for a call that has ended is dropped.
 *
 * An open call's stdin is a socket, not a pipe: a pipe can be opened again through /proc/<pid>/fd/0
 * by any process of the sandbox's uid, and written into; a socket cannot be opened by path at all,
 * so only this process (not dumpable: out of reach from inside) can write a session's input.
 *
 * A WRITE or READ is a call like any other (its own process, setsid, killed on timeout), whose process
 * does the work itself instead of exec'ing sh, realpath and cat: it has the init's uid, namespaces,
 * filter and no capabilities, as they would. It is never pid 1, so /proc/self is its own: a path that
 * races to /proc/self/fd/N reaches only the pipes of this one call, and /proc/1/fd, /proc/1/mem stay
 * out of its reach (pid 1 is not dumpable and the process has no CAP_SYS_PTRACE), as for the agent.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { REQ_START = 1, REQ_KILL = 2, REQ_OPEN = 3, REQ_INPUT = 4, REQ_CLOSE_INPUT = 5, REQ_SIGNAL = 6, REQ_WRITE = 7, REQ_READ = 8 };
enum { RSP_STARTED = 1, RSP_STDOUT = 2, RSP_STDERR = 3, RSP_EXIT = 4, RSP_FAIL = 5, RSP_TAKEN = 6 };
/* what a call's process does: exec a command (its stdin a pipe, or for a session a socket), or a file's work */
enum { KIND_COMMAND, KIND_SESSION, KIND_WRITE, KIND_READ };

#define MAX_FRAME (1u << 30)
#define CHUNK 65536
/* a WRITE's data waiting here at most: the JVM sends no more than this ahead of the TAKEN it has heard */
#define WRITE_WINDOW (4u * CHUNK)
/* exit code of a file call whose path leads outside what the file API may touch (the shell script's) */
#define ESCAPES 86

extern char **environ;

struct call {
    uint32_t id;
    pid_t shim;
    pid_t main_pid;
    int shim_dead;
    int main_exited, main_status;
    int killing;
    int done;
    int status;
    int out, err, in;
    int open;        /* stdin streams: more INPUT may come until CLOSE_INPUT */
    int close_input; /* CLOSE_INPUT came: stdin ends once the buffer is written */
    int paced;       /* a WRITE: what is passed on is answered with TAKEN, and at most WRITE_WINDOW waits */
    char *input;
    size_t input_len, input_off;
};

static struct call *calls;
static size_t ncalls, calls_cap;

static void die(const char *what) {
    dprintf(2, "ale-init: %s: %s\n", what, strerror(errno));
    _exit(3);
}

static void close_from(int fd) {
    if (syscall(SYS_close_range, (unsigned) fd, ~0u, 0) != 0) {
        for (int i = fd; i < 65536; i++) close(i);
    }
}

static void write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            _exit(0); /* the JVM is gone: the pid namespace goes with us */
        }
        p += w;
        n -= (size_t) w;
    }
}

static void put32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const unsigned char *p) {
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void respond(uint8_t type, uint32_t call, const void *body, size_t n) {
    unsigned char head[9];
    put32(head, (uint32_t) (5 + n));
    head[4] = type;
    put32(head + 5, call);
    write_all(1, head, sizeof head);
    if (n > 0) write_all(1, body, n);
}

static void respond32(uint8_t type, uint32_t call, uint32_t v) {
    unsigned char b[4];
    put32(b, v);
    respond(type, call, b, 4);
}

/* The parent pid of a process, from /proc/<pid>/stat (after the last ')': comm may hold anything). */
static pid_t parent_of(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *end = strrchr(buf, ')');
    if (end == NULL) return -1;
    char state;
    int ppid;
    if (sscanf(end + 1, " %c %d", &state, &ppid) != 2) return -1;
    return ppid;
}

/*
 * What a sweep of pid 1's children spares: the live per-call processes, and the main process of
 * a call whose per-call process was killed (a `kill -9 -1` in the call reaches it) while the
 * command runs on: that call goes on, with pid 1 as its reaper, until its command ends.
 */
static int is_spared(pid_t pid) {
    for (size_t i = 0; i < ncalls; i++) {
        struct call *c = &calls[i];
        if (c->done) continue;
        if (c->shim == pid && !c->shim_dead) return 1;
        if (c->main_pid == pid && c->shim_dead && !c->main_exited && !c->killing) return 1;
    }
    return 0;
}

/*
 * SIGKILLs the children of `parent` (those pid 1 spares: the live per-call processes) and reaps
 * them, until none is left. Each reap reparents the dead one's children here, so the loop reaches
 * the whole tree, including what left its session or process group.
 */
static void kill_children(pid_t parent, int spare_shims) {
    for (;;) {
        pid_t found[1024];
        size_t n = 0;
        DIR *d = opendir("/proc");
        if (d == NULL) return;
        struct dirent *e;
        while ((e = readdir(d)) != NULL && n < 1024) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            pid_t pid = (pid_t) atoi(e->d_name);
            if (pid <= 0 || pid == parent || parent_of(pid) != parent) continue;
            if (spare_shims && is_spared(pid)) continue;
            found[n++] = pid;
        }
        closedir(d);
        if (n == 0) return;
        for (size_t i = 0; i < n; i++) kill(found[i], SIGKILL);
        for (size_t i = 0; i < n; i++) while (waitpid(found[i], NULL, 0) < 0 && errno == EINTR) {}
    }
}

/* The per-call process: runs the command, then ends whatever of the call is left. Never returns. */
static void run_call(char **argv, char **envp, const char *cwd) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_SET_NAME, "ale-call");
    pid_t main_pid = fork();
    if (main_pid < 0) {
        dprintf(2, "ale-init: fork: %s\n", strerror(errno));
        _exit(126);
    }
    if (main_pid == 0) {
        close_from(3);
        environ = envp;
        if (chdir(cwd) != 0) {
            dprintf(2, "ale-init: Can't chdir to %s: %s\n", cwd, strerror(errno));
            _exit(1);
        }
        /* as bubblewrap's --chdir does */
        setenv("PWD", cwd, 1);
        execvp(argv[0], argv);
        dprintf(2, "ale-init: execvp %s: %s\n", argv[0], strerror(errno));
        _exit(1);
    }
    /* pid 1 learns the command's pid, to carry the call on should this process be killed */
    write_all(3, &main_pid, sizeof main_pid);
    close(3);
    int status = 0;
    for (;;) {
        int s;
        pid_t r = waitpid(-1, &s, 0);
        if (r == main_pid) { status = s; break; }
        if (r < 0 && errno != EINTR) break;
    }
    /* a call's processes end with it, as they did with its own pid namespace */
    kill_children(getpid(), 0);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* The file API's reasons, as the shell script's tools gave them less their names (the JVM strips those). */
static void file_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void file_fail(int code, const char *fmt, ...) {
    char msg[2 * PATH_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t) n > sizeof msg - 2) n = (int) sizeof msg - 2;
    msg[n++] = '\n';
    write_all(2, msg, (size_t) n);
    _exit(code);
}

/*
 * A name as cat and realpath print it in the C locale (gnulib's shell-escape quoting): bare when
 * nothing in it is special to a shell; else in '...', with a control or non-ASCII byte as $'\n' or
 * $'\ooo' between quoted runs, and a name whose only special byte is ' in "...".
 */
static const char *quoted(const char *s) {
    static char q[8 * PATH_MAX];
    int special = s[0] == '#' || s[0] == '~', control = 0, dquote_unsafe = 0, apostrophe = 0;
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if (*c < 0x20 || *c >= 0x7f) control = 1;
        else if (strchr(" !\"$&'()*;<=>?[\\]^`{|}", *c) != NULL) special = 1;
        if (*c == '\'') apostrophe = 1;
        if (strchr("$`\"\\", *c) != NULL) dquote_unsafe = 1;
    }
    if (!special && !control) return s;
    size_t n = 0;
    if (apostrophe && !control && !dquote_unsafe) {
        n += (size_t) snprintf(q, sizeof q, "\"%s\"", s);
        return q;
    }
    static const char names[] = "\a\b\t\n\v\f\r", letters[] = "abtnvfr";
    int in = 0; /* 0: between runs; 1: in '...'; 2: in $'...' */
    for (const unsigned char *c = (const unsigned char *) s; *c && n < sizeof q - 16; c++) {
        int ctl = *c < 0x20 || *c >= 0x7f;
        if (ctl && in != 2) {
            if (in == 1) q[n++] = '\'';
            memcpy(q + n, "$'", 2);
            n += 2;
            in = 2;
        } else if (!ctl && in != 1) {
            if (in == 2) q[n++] = '\'';
            q[n++] = '\'';
            in = 1;
        }
        const char *named = ctl ? strchr(names, *c) : NULL;
        if (named != NULL && *c != 0) n += (size_t) snprintf(q + n, 8, "\\%c", letters[named - names]);
        else if (ctl) n += (size_t) snprintf(q + n, 8, "\\%03o", *c);
        else if (*c == '\'') { memcpy(q + n, "'\\''", 4); n += 4; }
        else q[n++] = (char) *c;
    }
    if (in != 0) q[n++] = '\'';
    q[n] = 0;
    return q;
}

/* (device, inode) of the symlinks a resolution has met since it began to look for loops */
struct seen {
    dev_t dev;
    ino_t ino;
};

/*
 * `realpath -m` (GNU coreutils 9): symlinks resolved as they are met, `.` dropped, `..` taking off the
 * last component of what is resolved so far, components that do not exist (or cannot be read) kept
 * as written. Like gnulib, the first 20 symlinks are followed freely; after that a symlink met a
 * second time ends the loop and stays as it is, and the resolution goes on. 0, or -1 with errno.
 */
static int resolve(const char *path, char *out) {
    char rest[2 * PATH_MAX], tail[2 * PATH_MAX], link[PATH_MAX];
    struct seen seen[256];
    size_t nseen = 0, olen = 0;
    int links = 0;
    if (strlen(path) >= sizeof rest) { errno = ENAMETOOLONG; return -1; }
    strcpy(rest, path);
    out[0] = 0;
    const char *p = rest;
    while (*p != 0) {
        while (*p == '/') p++;
        if (*p == 0) break;
        const char *e = strchrnul(p, '/');
        size_t n = (size_t) (e - p);
        if (n == 1 && p[0] == '.') { p = e; continue; }
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(out, '/');
            if (slash != NULL) { *slash = 0; olen = (size_t) (slash - out); }
            p = e;
            continue;
        }
        if (olen + 1 + n >= PATH_MAX) { errno = ENAMETOOLONG; return -1; }
        size_t before = olen;
        out[olen] = '/';
        memcpy(out + olen + 1, p, n);
        olen += 1 + n;
        out[olen] = 0;
        ssize_t ln = readlink(out, link, sizeof link - 1);
        if (ln <= 0) { p = e; continue; }
        link[ln] = 0;
        if (links < 20) {
            links++;
        } else {
            struct stat st;
            if (lstat(out, &st) != 0) return -1;
            int again = 0;
            for (size_t i = 0; i < nseen; i++) if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino) again = 1;
            if (again) { p = e; continue; }
            if (nseen == sizeof seen / sizeof seen[0]) { errno = ELOOP; return -1; }
            seen[nseen++] = (struct seen) {st.st_dev, st.st_ino};
        }
        if ((size_t) ln + strlen(e) >= sizeof tail) { errno = ENAMETOOLONG; return -1; }
        strcpy(tail, link);
        strcat(tail, e);
        strcpy(rest, tail);
        p = rest;
        if (link[0] == '/') olen = 0;
        else olen = before;
        out[olen] = 0;
    }
    if (olen == 0) strcpy(out, "/");
    return 0;
}

/* Whether the file API may touch a resolved path: the shell script's `case` of the same three roots. */
static int within_reach(const char *p) {
    static const char *roots[] = {"/workspace", "/tmp", "/tests"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        size_t n = strlen(roots[i]);
        if (strncmp(p, roots[i], n) == 0 && (p[n] == 0 || p[n] == '/')) return 1;
    }
    return 0;
}

/* `mkdir -p` of a resolved, absolute directory, with GNU mkdir's reasons. */
static void make_parents(const char *dir) {
    char q[PATH_MAX];
    size_t n = strlen(dir);
    for (size_t i = 1; i <= n; i++) {
        if (dir[i] != '/' && dir[i] != 0) continue;
        memcpy(q, dir, i);
        q[i] = 0;
        if (mkdir(q, 0777) == 0) continue;
        int e = errno;
        struct stat st;
        if (e != EEXIST) file_fail(1, "cannot create directory '%s': %s", q, strerror(e));
        if (stat(q, &st) != 0) file_fail(1, "cannot stat '%s': %s", q, strerror(errno));
        if (!S_ISDIR(st.st_mode)) file_fail(1, "cannot create directory '%s': %s", q, strerror(i == n ? EEXIST : ENOTDIR));
    }
}

/* The per-call process of a WRITE or READ: does the file's work itself, as the call's own process. Never returns. */
static void run_file(int kind, const char *path, uint32_t limit) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    prctl(PR_SET_NAME, "ale-call");
    /* no command: pid 1 has nothing to carry on should this process be killed */
    pid_t no_command = 0;
    write_all(3, &no_command, sizeof no_command);
    close(3);
    char where[PATH_MAX + 16], p[PATH_MAX];
    /* never a cut path: a name the kernel would refuse is refused here, before anything is made */
    int n = path[0] == '/' ? snprintf(where, sizeof where, "%s", path) : snprintf(where, sizeof where, "/workspace/%s", path);
    if (n < 0 || (size_t) n >= sizeof where) file_fail(1, "%.64s...: %s", path, strerror(ENAMETOOLONG));
    if (resolve(where, p) != 0) file_fail(1, "%s: %s", quoted(where), strerror(errno));
    if (!within_reach(p)) file_fail(ESCAPES, "leads outside /workspace, /tmp and /tests (to %s)", p);
    static char buf[CHUNK];
    if (kind == KIND_WRITE) {
        char dir[PATH_MAX];
        strcpy(dir, p);
        *strrchr(dir, '/') = 0;
        if (dir[0] == 0) strcpy(dir, "/");
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) make_parents(dir);
        /* as the shell's `>`: follows a symlink, blocks on a FIFO until the call's timeout */
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) file_fail(1, "cannot create %s: %s", p, errno == ENOENT ? "Directory nonexistent" : strerror(errno));
        for (;;) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n == 0) break;
            if (n < 0) {
                if (errno == EINTR) continue;
                file_fail(1, "-: %s", strerror(errno));
            }
            for (ssize_t off = 0; off < n;) {
                ssize_t w = write(fd, buf + off, (size_t) (n - off));
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) file_fail(1, "write error: %s", strerror(errno));
                off += w;
            }
        }
        if (close(fd) != 0) file_fail(1, "write error: %s", strerror(errno));
        _exit(0);
    }
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) file_fail(1, "%s: %s", quoted(p), strerror(errno));
    uint64_t left = (uint64_t) limit + 1;
    while (left > 0) {
        ssize_t n = read(fd, buf, left < sizeof buf ? (size_t) left : sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            file_fail(1, "%s: %s", quoted(p), strerror(errno));
        }
        write_all(1, buf, (size_t) n);
        left -= (uint64_t) n;
    }
    _exit(0);
}

struct reader {
    const unsigned char *p, *end;
    int ok;
};

static uint32_t rd32(struct reader *r) {
    if (r->end - r->p < 4) { r->ok = 0; return 0; }
    uint32_t v = get32(r->p);
    r->p += 4;
    return v;
}

/* A NUL-terminated copy of the next length-prefixed string; NULL (and !ok) if it is cut off or holds a NUL. */
static char *rdstr(struct reader *r, size_t *len) {
    uint32_t n = rd32(r);
    if (!r->ok || (size_t) (r->end - r->p) < n) { r->ok = 0; return NULL; }
    char *s = malloc((size_t) n + 1);
    if (s == NULL) die("malloc");
    memcpy(s, r->p, n);
    s[n] = 0;
    r->p += n;
    if (len != NULL) *len = n;
    else if (memchr(s, 0, n) != NULL) { r->ok = 0; free(s); return NULL; }
    return s;
}

static char **rdvec(struct reader *r) {
    uint32_t n = rd32(r);
    if (!r->ok || n > 1u << 20) { r->ok = 0; return NULL; }
    char **v = calloc((size_t) n + 1, sizeof *v);
    if (v == NULL) die("calloc");
    for (uint32_t i = 0; i < n && r->ok; i++) v[i] = rdstr(r, NULL);
    return v;
}

static void free_vec(char **v) {
    if (v == NULL) return;
    for (char **p = v; *p != NULL; p++) free(*p);
    free(v);
}

/* What a call's process is to do: a command (argv, envp, cwd) or a file's work (path, limit). */
struct job {
    int kind;
    char **argv, **envp;
    char *cwd, *path;
    uint32_t limit;
};

static void launch(uint32_t id, struct job *job, char *input, size_t input_len, int open);

static void start_call(uint32_t id, struct reader *r, int open) {
    struct job job = {.kind = open ? KIND_SESSION : KIND_COMMAND};
    job.argv = rdvec(r);
    job.envp = r->ok ? rdvec(r) : NULL;
    job.cwd = r->ok ? rdstr(r, NULL) : NULL;
    size_t input_len = 0;
    char *input = r->ok ? rdstr(r, &input_len) : NULL;
    if (!r->ok || job.argv == NULL || job.argv[0] == NULL || r->p != r->end) {
        dprintf(2, "ale-init: malformed START request for call %u\n", id);
        _exit(3);
    }
    launch(id, &job, input, input_len, open);
    free_vec(job.argv);
    free_vec(job.envp);
    free(job.cwd);
}

static void start_file(uint32_t id, struct reader *r, int kind) {
    struct job job = {.kind = kind};
    job.path = rdstr(r, NULL);
    uint32_t more = 0;
    size_t input_len = 0;
    char *input = NULL;
    if (kind == KIND_WRITE) {
        more = r->ok ? rd32(r) : 0;
        input = r->ok ? rdstr(r, &input_len) : NULL;
    } else {
        job.limit = r->ok ? rd32(r) : 0;
    }
    if (!r->ok || job.path == NULL || job.path[0] == 0 || more > 1 || input_len > WRITE_WINDOW || r->p != r->end) {
        dprintf(2, "ale-init: malformed %s request for call %u\n", kind == KIND_WRITE ? "WRITE" : "READ", id);
        _exit(3);
    }
    launch(id, &job, input, input_len, (int) more);
    free(job.path);
}

/* Forks the call's process for `job`; `input` (now the call's) is its stdin, and more may come while `open`. */
static void launch(uint32_t id, struct job *job, char *input, size_t input_len, int open) {
    int in[2], out[2], err[2], ctl[2];
    if (job->kind == KIND_SESSION) {
        /* [0] is the process's end, as a pipe's read end is; one way, as a pipe is: what is written
           to the process's end (or to a copy taken with pidfd_getfd) reaches nobody */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in)) die("socketpair");
        shutdown(in[0], SHUT_WR);
        shutdown(in[1], SHUT_RD);
    } else if (pipe2(in, O_CLOEXEC)) {
        /* (a WRITE's stdin is a pipe: its process never execs, stays not dumpable, and so its
           /proc/<pid>/fd/0 cannot be opened from inside to add to the file) */
        die("pipe2");
    }
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(ctl, O_CLOEXEC)) die("pipe2");
    pid_t shim = fork();
    if (shim < 0) {
        const char *msg = "cannot fork the call's process";
        respond(RSP_FAIL, id, msg, strlen(msg));
        close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(err[0]); close(err[1]); close(ctl[0]); close(ctl[1]);
    } else if (shim == 0) {
        /* the init's own pipes (0, 1, 2) are replaced here and nothing else survives close_from */
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 || dup2(ctl[1], 3) < 0) _exit(126);
        close_from(4);
        if (job->kind == KIND_WRITE || job->kind == KIND_READ) run_file(job->kind, job->path, job->limit);
        run_call(job->argv, job->envp, job->cwd);
    } else {
        close(out[1]); close(err[1]); close(ctl[1]);
        /* the per-call process writes this right after its one fork: a short wait, once per call */
        pid_t main_pid = 0;
        ssize_t got;
        while ((got = read(ctl[0], &main_pid, sizeof main_pid)) < 0 && errno == EINTR) {}
        if (got != (ssize_t) sizeof main_pid) main_pid = 0;
        close(ctl[0]);
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
        if (ncalls == calls_cap) {
            calls_cap = calls_cap ? calls_cap * 2 : 16;
            calls = realloc(calls, calls_cap * sizeof *calls);
            if (calls == NULL) die("realloc");
        }
        struct call *c = &calls[ncalls++];
        *c = (struct call) {.id = id, .shim = shim, .main_pid = main_pid, .out = out[0], .err = err[0], .in = in[1],
                .open = open, .paced = job->kind == KIND_WRITE, .input = input, .input_len = input_len};
        input = NULL;
        if (c->input_len == 0 && !open) { close(c->in); c->in = -1; }
        unsigned char started[16];
        put32(started, (uint32_t) shim);
        put32(started + 4, (uint32_t) main_pid);
        uint64_t inode = 0;
        struct stat st;
        int session = job->kind == KIND_SESSION;
        if (session && fstat(in[0], &st) == 0) inode = (uint64_t) st.st_ino;
        close(in[0]);
        put32(started + 8, (uint32_t) (inode >> 32));
        put32(started + 12, (uint32_t) inode);
        respond(RSP_STARTED, id, started, session ? 16 : 8);
    }
    free(input);
}

static void kill_call(uint32_t id) {
    for (size_t i = 0; i < ncalls; i++) {
        struct call *c = &calls[i];
        if (c->id != id || c->done) continue;
        c->killing = 1;
        /* the group first (the command and what stayed with it), then the call's process: its
           death reparents the rest here, where reap() sweeps them */
        kill(-c->shim, SIGKILL);
        if (!c->shim_dead) {
            kill(c->shim, SIGKILL);
        } else {
            c->done = 1;
            c->status = SIGKILL; /* a wait status: killed by SIGKILL */
            kill_children(1, 1);
        }
    }
}

static struct call *live_call(uint32_t id) {
    for (size_t i = 0; i < ncalls; i++) if (calls[i].id == id && !calls[i].done) return &calls[i];
    return NULL;
}

static void input_call(uint32_t id, const unsigned char *p, size_t n) {
    struct call *c = live_call(id);
    /* a call that was not opened for input, whose stdin is closed, or that ended: nothing to feed */
    if (c == NULL || !c->open || c->in < 0 || c->close_input || n == 0) return;
    if (c->paced && c->input_len - c->input_off + n > WRITE_WINDOW) {
        /* the JVM sends no more than the window ahead of TAKEN: this is not the JVM speaking */
        dprintf(2, "ale-init: WRITE call %u sent past its window\n", id);
        _exit(3);
    }
    if (c->input_off > 0) {
        memmove(c->input, c->input + c->input_off, c->input_len - c->input_off);
        c->input_len -= c->input_off;
        c->input_off = 0;
    }
    char *grown = realloc(c->input, c->input_len + n);
    if (grown == NULL) die("realloc");
    memcpy(grown + c->input_len, p, n);
    c->input = grown;
    c->input_len += n;
}

static void close_input(uint32_t id) {
    struct call *c = live_call(id);
    if (c == NULL || c->in < 0) return;
    c->close_input = 1;
    if (c->input_off == c->input_len) { close(c->in); c->in = -1; }
}

static void signal_call(uint32_t id, struct reader *r) {
    uint32_t sig = rd32(r);
    if (!r->ok || r->p != r->end || sig == 0 || sig > 64) {
        dprintf(2, "ale-init: malformed SIGNAL request for call %u\n", id);
        _exit(3);
    }
    struct call *c = live_call(id);
    /* only the command itself, and only while its call lasts (not after pid 1 reaped it) */
    if (c != NULL && c->main_pid > 0 && !c->main_exited && !c->killing) kill(c->main_pid, (int) sig);
}

static void handle_frame(const unsigned char *f, uint32_t len) {
    if (len < 5) { dprintf(2, "ale-init: short frame\n"); _exit(3); }
    uint8_t type = f[0];
    uint32_t id = get32(f + 1);
    struct reader r = {f + 5, f + len, 1};
    if (type == REQ_START) start_call(id, &r, 0);
    else if (type == REQ_OPEN) start_call(id, &r, 1);
    else if (type == REQ_INPUT) input_call(id, r.p, (size_t) (r.end - r.p));
    else if (type == REQ_CLOSE_INPUT) close_input(id);
    else if (type == REQ_SIGNAL) signal_call(id, &r);
    else if (type == REQ_KILL) kill_call(id);
    else if (type == REQ_WRITE) start_file(id, &r, KIND_WRITE);
    else if (type == REQ_READ) start_file(id, &r, KIND_READ);
    else { dprintf(2, "ale-init: unknown request type %u\n", type); _exit(3); }
}

static void reap(void) {
    int sweep = 0;
    for (;;) {
        int s;
        pid_t r = waitpid(-1, &s, WNOHANG);
        if (r <= 0) break;
        for (size_t i = 0; i < ncalls; i++) {
            struct call *c = &calls[i];
            if (c->done) continue;
            if (c->shim == r && !c->shim_dead) {
                c->shim_dead = 1;
                if (WIFEXITED(s)) {
                    /* it ran the command and ended what was left of the call itself */
                    c->done = 1;
                    c->status = s;
                } else if (c->killing || c->main_pid <= 0 || c->main_exited || parent_of(c->main_pid) != 1) {
                    /* (a command already reaped by it is not pid 1's child) */
                    c->done = 1;
                    c->status = c->main_exited && !c->killing ? c->main_status : s;
                    sweep = 1;
                }
                /* else killed from inside while its command runs on: pid 1 reaps that now */
            } else if (c->main_pid == r) {
                c->main_exited = 1;
                c->main_status = s;
                if (c->shim_dead) {
                    c->done = 1;
                    c->status = s;
                    sweep = 1;
                }
            }
        }
    }
    /* a call that ended without its per-call process left its orphans to pid 1: they end now */
    if (sweep) kill_children(1, 1);
}

static void pump(struct call *c, int *fd, uint8_t type);

/*
 * A call is over when its processes are: what they wrote is in the pipes, and is drained now. A
 * process of another call that opened this call's pipe through /proc (calls share a pid
 * namespace here) cannot hold the call open by keeping a write end.
 */
static void finish_calls(void) {
    for (size_t i = 0; i < ncalls;) {
        struct call *c = &calls[i];
        if (!c->done) { i++; continue; }
        for (int chunks = 0; c->out >= 0 && chunks < 256; chunks++) {
            int before = c->out;
            pump(c, &c->out, RSP_STDOUT);
            if (c->out == before && errno == EAGAIN) { close(c->out); c->out = -1; }
        }
        for (int chunks = 0; c->err >= 0 && chunks < 256; chunks++) {
            int before = c->err;
            pump(c, &c->err, RSP_STDERR);
            if (c->err == before && errno == EAGAIN) { close(c->err); c->err = -1; }
        }
        if (c->out >= 0) { close(c->out); c->out = -1; }
        if (c->err >= 0) { close(c->err); c->err = -1; }
        int s = c->status;
        respond32(RSP_EXIT, c->id, (uint32_t) (WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s)));
        if (c->in >= 0) close(c->in);
        free(c->input);
        calls[i] = calls[--ncalls];
    }
}

static void pump(struct call *c, int *fd, uint8_t type) {
    static char buf[CHUNK];
    errno = 0;
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) respond(type, c->id, buf, (size_t) n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR)) { close(*fd); *fd = -1; }
}

static void feed(struct call *c) {
    ssize_t n = write(c->in, c->input + c->input_off, c->input_len - c->input_off);
    if (n > 0) c->input_off += (size_t) n;
    if (n > 0 && c->paced) respond32(RSP_TAKEN, c->id, (uint32_t) n);
    if (c->open && !c->close_input && n >= 0 && c->input_off == c->input_len) {
        /* all written: wait for more */
        c->input_off = c->input_len = 0;
        return;
    }
    if ((n < 0 && errno != EAGAIN && errno != EINTR) || c->input_off == c->input_len) {
        close(c->in);
        c->in = -1;
        free(c->input);
        c->input = NULL;
    }
}

int main(int argc, char **argv) {
    /* bubblewrap ran us as /proc/self/fd/5: once more from the same fd, as argv ["ale-init"], so the
       monitor sees argv[0] name the executable (it flags a process whose title hides what it runs) */
    if (argc < 1 || strcmp(argv[0], "ale-init") != 0) {
        char *self[] = {"ale-init", NULL};
        char *none[] = {NULL};
        syscall(SYS_execveat, 5, "", self, none, AT_EMPTY_PATH);
        die("execveat");
    }
    prctl(PR_SET_NAME, "ale-init");
    /* not dumpable: the sandbox's uid can neither ptrace this process nor open /proc/1/{fd,mem,environ} */
    if (prctl(PR_SET_DUMPABLE, 0) != 0) die("prctl(PR_SET_DUMPABLE)");
    /* whatever bubblewrap passed on (the binary's own fd among them) goes: only 0, 1 and 2 stay */
    close_from(3);
    /* no handlers: pid 1 of a namespace drops every signal sent from inside it that it has no handler for */
    signal(SIGPIPE, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &chld, NULL) != 0) die("sigprocmask");
    int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) die("signalfd");
    fcntl(0, F_SETFD, FD_CLOEXEC);
    fcntl(1, F_SETFD, FD_CLOEXEC);

    unsigned char *req = NULL;
    size_t req_len = 0, req_cap = 0;
    struct pollfd *fds = NULL;
    size_t fds_cap = 0;
    for (;;) {
        size_t want = 2 + 3 * ncalls;
        if (want > fds_cap) {
            fds_cap = want * 2;
            fds = realloc(fds, fds_cap * sizeof *fds);
            if (fds == NULL) die("realloc");
        }
        size_t n = 0;
        fds[n++] = (struct pollfd) {.fd = 0, .events = POLLIN};
        fds[n++] = (struct pollfd) {.fd = sfd, .events = POLLIN};
        for (size_t i = 0; i < ncalls; i++) {
            fds[n++] = (struct pollfd) {.fd = calls[i].out, .events = POLLIN};
            fds[n++] = (struct pollfd) {.fd = calls[i].err, .events = POLLIN};
            /* an open call's stdin with nothing to write is not polled (it would be ready at once, always) */
            int want_in = calls[i].in >= 0 && calls[i].input_off < calls[i].input_len;
            fds[n++] = (struct pollfd) {.fd = want_in ? calls[i].in : -1, .events = POLLOUT};
        }
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (fds[1].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
            reap();
        }
        size_t before = ncalls;
        for (size_t i = 0; i < before && i < ncalls; i++) {
            struct call *c = &calls[i];
            if (c->out >= 0 && fds[2 + 3 * i].revents) pump(c, &c->out, RSP_STDOUT);
            if (c->err >= 0 && fds[3 + 3 * i].revents) pump(c, &c->err, RSP_STDERR);
            if (c->in >= 0 && fds[4 + 3 * i].fd >= 0 && fds[4 + 3 * i].revents) feed(c);
        }
        if (fds[0].revents) {
            if (req_cap - req_len < CHUNK) {
                req_cap = req_cap ? req_cap * 2 : 2 * CHUNK;
                req = realloc(req, req_cap);
                if (req == NULL) die("realloc");
            }
            ssize_t got = read(0, req + req_len, req_cap - req_len);
            if (got == 0) _exit(0); /* the JVM closed the sandbox: everything in it ends with pid 1 */
            if (got < 0 && errno != EINTR && errno != EAGAIN) die("read");
            if (got > 0) req_len += (size_t) got;
            size_t at = 0;
            while (req_len - at >= 4) {
                uint32_t len = get32(req + at);
                if (len > MAX_FRAME) { dprintf(2, "ale-init: frame of %u bytes\n", len); _exit(3); }
                if (req_len - at - 4 < len) {
                    if (req_cap < (size_t) len + 4) {
                        req_cap = (size_t) len + 4;
                        req = realloc(req, req_cap);
                        if (req == NULL) die("realloc");
                    }
                    break;
                }
                handle_frame(req + at + 4, len);
                at += 4 + (size_t) len;
            }
            memmove(req, req + at, req_len - at);
            req_len -= at;
        }
        finish_calls();
    }
}
