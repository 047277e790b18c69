/*
 * Makes the system calls named on its command line, each in a child of its own, and prints
 * one line per call: "NAME ok", "NAME errno=N" or "NAME signal=N" (the child was killed).
 * Arguments are chosen so that, run without ALE's filter by an unprivileged user, each call
 * is harmless, and most of them answer differently from the filter (a success, EBADF,
 * EFAULT, EINVAL ...). Numbers come from the C library's headers, not from ALE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sys/timex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

static void *nothing(void *arg) { return arg; }

/* A raw clone or clone3 returns 0 in a child that shares nothing it must clean up: leave at once. */
static long in_child_exit(long r) {
    if (r == 0) syscall(SYS_exit_group, 0);
    if (r > 0) waitpid((pid_t) r, NULL, __WALL);
    return r;
}

static long call(const char *n) {
    static char handle_buf[sizeof(unsigned int) * 2 + 128];
    if (!strcmp(n, "getpid")) return syscall(SYS_getpid);
    /* namespaces */
    if (!strcmp(n, "clone-newuser")) return in_child_exit(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(n, "clone-newns-newpid")) return in_child_exit(syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(n, "clone-fork")) return in_child_exit(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
    if (!strcmp(n, "unshare-newuser")) return syscall(SYS_unshare, CLONE_NEWUSER);
    if (!strcmp(n, "unshare-newuser-highbits")) return syscall(SYS_unshare, 0x100000000UL | CLONE_NEWUSER);
    if (!strcmp(n, "unshare-newnet")) return syscall(SYS_unshare, CLONE_NEWNET);
    if (!strcmp(n, "unshare-newtime")) return syscall(SYS_unshare, 0x80 /* CLONE_NEWTIME */);
    if (!strcmp(n, "unshare-fs-files")) return syscall(SYS_unshare, CLONE_FS | CLONE_FILES);
    if (!strcmp(n, "setns")) return syscall(SYS_setns, -1, 0);
    if (!strcmp(n, "clone3")) {
        struct clone_args a;
        memset(&a, 0, sizeof a);
        a.exit_signal = SIGCHLD;
        return in_child_exit(syscall(SYS_clone3, &a, sizeof a));
    }
    if (!strcmp(n, "pthread")) {
        pthread_t t;
        int e = pthread_create(&t, NULL, nothing, NULL);
        if (e) { errno = e; return -1; }
        return pthread_join(t, NULL);
    }
    /* io_uring */
    if (!strcmp(n, "io_uring_setup")) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        return syscall(SYS_io_uring_setup, 1, &p);
    }
    if (!strcmp(n, "io_uring_enter")) return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
    if (!strcmp(n, "io_uring_register")) return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
    /* sockets */
    if (!strcmp(n, "socket-vsock")) return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
    if (!strcmp(n, "socket-packet")) return socket(17 /* AF_PACKET */, SOCK_RAW, 0);
    if (!strcmp(n, "socket-alg")) return socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0);
    if (!strcmp(n, "socket-bluetooth")) return socket(31 /* AF_BLUETOOTH */, SOCK_STREAM, 0);
    if (!strcmp(n, "socket-family-highbits")) return syscall(SYS_socket, 0x100000000UL | 40, SOCK_STREAM, 0);
    if (!strcmp(n, "socket-unix")) return socket(AF_UNIX, SOCK_STREAM, 0);
    if (!strcmp(n, "socket-inet")) return socket(AF_INET, SOCK_STREAM, 0);
    if (!strcmp(n, "socket-inet6")) return socket(AF_INET6, SOCK_DGRAM, 0);
    if (!strcmp(n, "socket-netlink")) return socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */);
    if (!strcmp(n, "socket-netlink-sock-diag")) return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 4 /* NETLINK_SOCK_DIAG */);
    if (!strcmp(n, "socket-netlink-generic")) return socket(AF_NETLINK, SOCK_DGRAM, 16 /* NETLINK_GENERIC */);
    if (!strcmp(n, "socket-netlink-uevent")) return socket(AF_NETLINK, SOCK_DGRAM, 15 /* NETLINK_KOBJECT_UEVENT */);
    if (!strcmp(n, "socket-netlink-audit")) return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 9 /* NETLINK_AUDIT */);
    if (!strcmp(n, "socket-netlink-uevent-highbits")) return syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM, 0x100000000UL | 15);
    /* personality */
    if (!strcmp(n, "personality-no-aslr")) return syscall(SYS_personality, 0x0040000);
    if (!strcmp(n, "personality-read-implies-exec")) return syscall(SYS_personality, 0x0400000);
    if (!strcmp(n, "personality-no-aslr-highbits")) return syscall(SYS_personality, 0x100040000UL);
    if (!strcmp(n, "personality-query")) return syscall(SYS_personality, 0xffffffffUL);
    if (!strcmp(n, "personality-linux")) return syscall(SYS_personality, 0);
    if (!strcmp(n, "personality-uname26")) return syscall(SYS_personality, 0x20000);
    /* keyrings */
    if (!strcmp(n, "add_key")) return syscall(SYS_add_key, "user", "ale-probe", "x", 1, -2 /* process keyring */);
    if (!strcmp(n, "request_key")) return syscall(SYS_request_key, "user", "ale-probe-none", NULL, 0);
    if (!strcmp(n, "keyctl")) return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -2, 0);
    /* kernel surface */
    if (!strcmp(n, "bpf")) {
        static char attr[128];
        return syscall(SYS_bpf, 0 /* MAP_CREATE */, attr, sizeof attr);
    }
    if (!strcmp(n, "perf_event_open")) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_TASK_CLOCK;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    }
    if (!strcmp(n, "userfaultfd")) return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
    /* kernel code: invalid flags and no data, so nothing could load or unload even with privilege */
    if (!strcmp(n, "kexec_load")) return syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL);
    if (!strcmp(n, "kexec_file_load")) return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0xdead0000UL);
    if (!strcmp(n, "init_module")) return syscall(SYS_init_module, NULL, 0, "");
    if (!strcmp(n, "finit_module")) return syscall(SYS_finit_module, -1, "", 0);
    if (!strcmp(n, "delete_module")) return syscall(SYS_delete_module, "ale_no_such_module", O_NONBLOCK);
    /* file handles */
    if (!strcmp(n, "name_to_handle_at")) {
        int mount_id;
        memset(handle_buf, 0, sizeof handle_buf);
        *(unsigned int *) handle_buf = 128;
        return syscall(SYS_name_to_handle_at, AT_FDCWD, "/", handle_buf, &mount_id, 0);
    }
    if (!strcmp(n, "open_by_handle_at")) {
        memset(handle_buf, 0, sizeof handle_buf);
        *(unsigned int *) handle_buf = 8;
        return syscall(SYS_open_by_handle_at, -1, handle_buf, O_RDONLY);
    }
    /* mounts */
    if (!strcmp(n, "mount")) return syscall(SYS_mount, "none", "/ale-no-such-dir", "tmpfs", 0, NULL);
    if (!strcmp(n, "umount2")) return syscall(SYS_umount2, "/", 0x100 /* not a flag */);
    if (!strcmp(n, "pivot_root")) return syscall(SYS_pivot_root, "/ale-no-such-dir", "/ale-no-such-dir");
    if (!strcmp(n, "fsopen")) return syscall(SYS_fsopen, "ale-no-such-fs", 0);
    if (!strcmp(n, "fsconfig")) return syscall(SYS_fsconfig, -1, 6 /* CMD_CREATE */, NULL, NULL, 0);
    if (!strcmp(n, "fsmount")) return syscall(SYS_fsmount, -1, 0, 0);
    if (!strcmp(n, "fspick")) return syscall(SYS_fspick, -1, "", 0);
    if (!strcmp(n, "move_mount")) return syscall(SYS_move_mount, -1, "", -1, "", 0);
    if (!strcmp(n, "open_tree")) return syscall(SYS_open_tree, AT_FDCWD, "/", 0);
    if (!strcmp(n, "open_tree_attr")) return syscall(SYS_open_tree_attr, AT_FDCWD, "/", 0, NULL, 0);
    if (!strcmp(n, "mount_setattr")) return syscall(SYS_mount_setattr, -1, "", 0, NULL, 0);
    /* the machine */
    if (!strcmp(n, "swapon")) return syscall(SYS_swapon, "/ale-no-such-file", 0);
    if (!strcmp(n, "swapoff")) return syscall(SYS_swapoff, "/ale-no-such-file");
    if (!strcmp(n, "reboot")) return syscall(SYS_reboot, 0, 0, 0, NULL); /* wrong magic: never reboots */
    if (!strcmp(n, "acct")) return syscall(SYS_acct, "/ale-no-such-file");
    if (!strcmp(n, "quotactl")) return syscall(SYS_quotactl, 0x800001 /* Q_SYNC, USRQUOTA */, NULL, 0, NULL);
    if (!strcmp(n, "syslog")) return syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0);
    /* the clock: bad pointers, so nothing could be set even with privilege */
    if (!strcmp(n, "settimeofday")) return syscall(SYS_settimeofday, (void *) 1, NULL);
    if (!strcmp(n, "clock_settime")) return syscall(SYS_clock_settime, CLOCK_REALTIME, (void *) 1);
    if (!strcmp(n, "adjtimex")) {
        struct timex t;
        memset(&t, 0, sizeof t);
        return syscall(SYS_adjtimex, &t);
    }
    if (!strcmp(n, "clock_adjtime")) {
        struct timex t;
        memset(&t, 0, sizeof t);
        return syscall(SYS_clock_adjtime, CLOCK_REALTIME, &t);
    }
#ifdef __x86_64__
    if (!strcmp(n, "iopl")) return syscall(SYS_iopl, 4 /* above 3 */);
    if (!strcmp(n, "ioperm")) return syscall(SYS_ioperm, 65536, 1, 1);
    /* another ABI: getpid through the i386 entry (20 there), and through x32 */
    if (!strcmp(n, "i386-getpid")) {
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");
        return r;
    }
    if (!strcmp(n, "x32-getpid")) return syscall(0x40000000 | SYS_getpid);
#endif
    /* ptrace of one's own child, as strace and gdb do */
    if (!strcmp(n, "ptrace-child")) {
        pid_t pid = fork();
        if (pid == 0) {
            if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(1);
            raise(SIGSTOP);
            _exit(0);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return -1;
        long r = ptrace(PTRACE_CONT, pid, NULL, NULL);
        waitpid(pid, &st, 0);
        if (r != 0) return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { errno = ECHILD; return -1; }
        return 0;
    }
    fprintf(stderr, "probe: unknown call %s\n", n);
    exit(2);
}

int main(int argc, char **argv) {
    if (geteuid() == 0) {
        fprintf(stderr, "probe: refusing to run as root\n");
        return 3;
    }
    for (int i = 1; i < argc; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            errno = 0;
            long r = call(argv[i]);
            if (r < 0 && errno != 0) printf("%s errno=%d\n", argv[i], errno);
            else printf("%s ok\n", argv[i]);
            fflush(stdout);
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st)) printf("%s signal=%d\n", argv[i], WTERMSIG(st));
    }
    return 0;
}
