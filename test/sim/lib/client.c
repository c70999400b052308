/*
 * The simulated CLIs' front end in the resident mode (test/sim/README.md, "Two modes"): a native
 * process that hands its command line to the simulated host's resident Node process over a unix
 * socket and behaves as the command did — its stdout and stderr in order, its exit code, stdin
 * read only when the command reads it, children started here on the caller's own stdio (so they
 * are in the caller's process group), and death by the caller's signals like any process.
 *
 *   fleet-sim-client NODE LIBDIR HOME TOOL VERSION [ARG...]
 *
 * The resident process (LIBDIR/server.mjs HOME, socket HOME/.fleet-sim/server/socket) is started
 * here when none answers. Frames both ways: one type byte, a 4-byte big-endian length, payload.
 *   client → server  q request (NUL-terminated fields: tool, version, cwd, pid, uid, umask,
 *                      stdin-is-a-terminal, argc, argv…, environment…)
 *                    i stdin bytes (empty: end of input)   w a child ended ("exit N", "signal N", "error ERRNO")
 *   server → client  a accepted   o stdout bytes   e stderr bytes   i send stdin   x exit code
 *                    r run a child (fields: stdin "inherit"|"null"|"file:PATH", kill-on-signal,
 *                      uid, gid, explicit credentials, argc, argv…, environment…)
 *                    f run the per-process mode instead (fields: argv)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EXIT_SOFTWARE 70
#define START_DEADLINE_MS 60000

struct buffer {
  char *data;
  size_t len, cap;
};

static const char *home;
static int sigchld_pipe[2] = {-1, -1};
static volatile pid_t running_child;

static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  dprintf(2, "fleet-sim: ");
  vdprintf(2, format, args);
  dprintf(2, "\n");
  va_end(args);
  exit(EXIT_SOFTWARE);
}

static void reserve(struct buffer *b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  b->data = realloc(b->data, cap);
  if (!b->data) fail("out of memory");
  b->cap = cap;
}

static void append(struct buffer *b, const void *data, size_t len) {
  reserve(b, len);
  memcpy(b->data + b->len, data, len);
  b->len += len;
}

static void append_field(struct buffer *b, const char *text) { append(b, text, strlen(text) + 1); }

static void append_number(struct buffer *b, long value) {
  char text[32];
  snprintf(text, sizeof text, "%ld", value);
  append_field(b, text);
}

/* Write everything; false when the reader is gone. */
static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    data += n;
    len -= (size_t)n;
  }
  return 1;
}

static void send_frame(int sock, char type, const void *payload, size_t len) {
  unsigned char header[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  if (!write_all(sock, (const char *)header, sizeof header) || !write_all(sock, payload, len)) fail("lost the resident simulator of %s", home);
}

/* dir + "/" + name into out, refusing a path that does not fit. */
static void join_path(char *out, size_t size, const char *dir, const char *name) {
  int len = snprintf(out, size, "%s/%s", dir, name);
  if (len < 0 || (size_t)len >= size) fail("path too long: %s/%s", dir, name);
}

static long monotonic_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- reaching the resident process ------------------------------------------------------------ */

static int try_connect(const char *server_dir) {
  int dir = open(server_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  /* Through the directory's descriptor: a socket path may not exceed sizeof(sun_path). */
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/socket", dir);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) fail("socket: %s", strerror(errno));
  int connected = connect(sock, (struct sockaddr *)&address, sizeof address);
  close(dir);
  if (connected == 0) return sock;
  close(sock);
  return -1;
}

/* As the per-process mode does (lib/runtime.mjs dropToHomeOwner): root acts as the home's owner. */
static void drop_to_home_owner(const char *sim_dir) {
  struct stat owner;
  if (getuid() != 0 || stat(sim_dir, &owner) != 0 || owner.st_uid == 0) return;
  if (setgid(owner.st_gid) != 0 || setuid(owner.st_uid) != 0) _exit(EXIT_SOFTWARE);
}

static void close_inherited_descriptors(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  for (int fd = 3; fd < 1024; fd++) close(fd);
}

/* The resident process runs in its own session with no descriptor of the caller's, so no
 * caller waits on it and no signal to the caller's process group reaches it. */
static pid_t start_server(const char *node, const char *libdir, const char *sim_dir, const char *server_dir) {
  pid_t pid = fork();
  if (pid < 0) fail("fork: %s", strerror(errno));
  if (pid > 0) return pid;
  setsid();
  drop_to_home_owner(sim_dir);
  mkdir(server_dir, 0700);
  char log[4096], script[4096];
  join_path(log, sizeof log, server_dir, "log");
  join_path(script, sizeof script, libdir, "server.mjs");
  int null = open("/dev/null", O_RDWR);
  int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  dup2(null, 0);
  dup2(null, 1);
  dup2(err >= 0 ? err : null, 2);
  close_inherited_descriptors();
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  execl(node, node, script, home, (char *)NULL);
  _exit(127);
}

static int connect_or_start(const char *node, const char *libdir) {
  char sim_dir[4096], server_dir[4096];
  join_path(sim_dir, sizeof sim_dir, home, ".fleet-sim");
  join_path(server_dir, sizeof server_dir, sim_dir, "server");
  long deadline = monotonic_ms() + START_DEADLINE_MS;
  pid_t server = 0;
  for (int attempt = 0;; attempt++) {
    int sock = try_connect(server_dir);
    if (sock >= 0) return sock;
    if (server == 0) {
      server = start_server(node, libdir, sim_dir, server_dir);
    } else {
      int status;
      if (waitpid(server, &status, WNOHANG) == server) {
        /* Exit 0: another resident process won the start and serves this home. */
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the resident simulator of %s did not start (see %s/log)", home, server_dir);
        server = 0;
      }
    }
    if (monotonic_ms() > deadline) fail("the resident simulator of %s did not answer (see %s/log)", home, server_dir);
    struct timespec pause = {0, (attempt < 20 ? 2 : 20) * 1000000L};
    nanosleep(&pause, NULL);
  }
}

/* ---- children on the caller's stdio ------------------------------------------------------------ */

static void on_sigchld(int signal_number) {
  (void)signal_number;
  int saved = errno;
  if (write(sigchld_pipe[1], "", 1) < 0) { /* the pipe is full: a wake-up is already pending */ }
  errno = saved;
}

/* While a child that may ignore the signal runs (`unshare` waiting), the caller's SIGTERM,
 * SIGINT or SIGHUP takes it down with SIGKILL and ends this process with 128+n. */
static void on_stop_signal(int signal_number) {
  if (running_child > 0) kill(running_child, SIGKILL);
  _exit(128 + signal_number);
}

static void set_stop_handlers(void (*handler)(int)) {
  struct sigaction action = {.sa_handler = handler};
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
}

/* Fields of a NUL-separated payload. */
struct fields {
  char **items;
  size_t count;
};

static struct fields split_fields(char *payload, size_t len) {
  struct fields result = {0};
  size_t cap = 0;
  for (size_t start = 0; start < len;) {
    size_t end = start;
    while (end < len && payload[end] != '\0') end++;
    if (end == len) break;
    if (result.count + 1 >= cap) {
      cap = cap ? cap * 2 : 64;
      result.items = realloc(result.items, cap * sizeof *result.items);
      if (!result.items) fail("out of memory");
    }
    result.items[result.count++] = payload + start;
    start = end + 1;
  }
  return result;
}

/* Fields from `from` to the end as a NULL-terminated vector. */
static char **vector(struct fields *f, size_t from, size_t count) {
  char **out = calloc(count + 1, sizeof *out);
  if (!out) fail("out of memory");
  for (size_t i = 0; i < count && from + i < f->count; i++) out[i] = f->items[from + i];
  return out;
}

static void send_child_end(int sock, const char *kind, long value) {
  char text[64];
  int len = snprintf(text, sizeof text, "%s %ld", kind, value);
  send_frame(sock, 'w', text, (size_t)len);
}

static void run_child(int sock, char *payload, size_t len) {
  struct fields f = split_fields(payload, len);
  if (f.count < 6) fail("malformed run request");
  const char *stdin_spec = f.items[0];
  int kill_on_signal = strcmp(f.items[1], "1") == 0;
  uid_t uid = (uid_t)strtoul(f.items[2], NULL, 10);
  gid_t gid = (gid_t)strtoul(f.items[3], NULL, 10);
  int explicit_credentials = strcmp(f.items[4], "1") == 0;
  size_t argc = strtoul(f.items[5], NULL, 10);
  if (argc == 0 || 6 + argc > f.count) fail("malformed run request");
  char **argv = vector(&f, 6, argc);
  char **envp = vector(&f, 6 + argc, f.count - 6 - argc);
  free(f.items);

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) fail("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) fail("fork: %s", strerror(errno));
  if (pid == 0) {
    int problem = 0;
    signal(SIGPIPE, SIG_DFL);
    set_stop_handlers(SIG_DFL);
    if (strcmp(stdin_spec, "null") == 0 || strncmp(stdin_spec, "file:", 5) == 0) {
      int in = open(strcmp(stdin_spec, "null") == 0 ? "/dev/null" : stdin_spec + 5, O_RDONLY);
      if (in < 0 || dup2(in, 0) < 0) problem = errno;
    }
    /* Node's spawn with uid/gid (libuv): drop supplementary groups, then gid, then uid; without
     * them the child is the home's owner, as the per-process mode's own process is. */
    if (!problem && explicit_credentials) {
      if (setgroups(0, NULL) != 0) { /* as libuv: ignored */ }
      if (setgid(gid) != 0 || setuid(uid) != 0) problem = errno;
    } else if (!problem && getuid() == 0 && uid != 0) {
      if (setgid(gid) != 0 || setuid(uid) != 0) problem = errno;
    }
    if (!problem) {
      environ = envp; /* execvp searches the child's own PATH, as Node's spawn does */
      execvp(argv[0], argv);
      problem = errno;
    }
    if (write(report[1], &problem, sizeof problem) < 0) { /* the parent sees no report and an exit 127 */ }
    _exit(127);
  }
  close(report[1]);
  int problem = 0;
  ssize_t got;
  do got = read(report[0], &problem, sizeof problem);
  while (got < 0 && errno == EINTR);
  close(report[0]);
  free(argv);
  free(envp);
  if (got == (ssize_t)sizeof problem) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    send_child_end(sock, "error", problem);
    return;
  }
  running_child = pid;
  if (kill_on_signal) set_stop_handlers(on_stop_signal);
}

/* A child ended: report how, and let the caller's signals act by default again. */
static void reap_child(int sock) {
  int status;
  pid_t done = waitpid(running_child, &status, WNOHANG);
  if (done != running_child) return;
  running_child = 0;
  set_stop_handlers(SIG_DFL);
  if (WIFSIGNALED(status)) send_child_end(sock, "signal", WTERMSIG(status));
  else send_child_end(sock, "exit", WEXITSTATUS(status));
}

/* ---- the call ---------------------------------------------------------------------------------- */

static void send_request(int sock, int argc, char **argv) {
  struct buffer request = {0};
  char cwd[8192];
  if (!getcwd(cwd, sizeof cwd)) fail("getcwd: %s", strerror(errno));
  mode_t mask = umask(0);
  umask(mask);
  append_field(&request, argv[4]);
  append_field(&request, argv[5]);
  append_field(&request, cwd);
  append_number(&request, (long)getpid());
  append_number(&request, (long)getuid());
  append_number(&request, (long)mask);
  append_field(&request, isatty(0) ? "1" : "0");
  append_number(&request, argc - 6);
  for (int i = 6; i < argc; i++) append_field(&request, argv[i]);
  for (char **variable = environ; *variable; variable++) append_field(&request, *variable);
  send_frame(sock, 'q', request.data, request.len);
  free(request.data);
}

/* The per-process mode, when the resident process cannot act as this caller would. */
static void exec_fallback(char *payload, size_t len) {
  struct fields f = split_fields(payload, len);
  char **argv = vector(&f, 0, f.count);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  execv(argv[0], argv);
  fail("%s: %s", argv[0], strerror(errno));
}

enum outcome { RETRY, DONE };

/* One conversation with the resident process. RETRY: it went away before accepting the call. */
static enum outcome converse(int sock, int argc, char **argv, int *exit_code) {
  struct buffer in = {0};
  int accepted = 0, forward_stdin = 0;
  int out_open = 1, err_open = 1;
  send_request(sock, argc, argv);
  for (;;) {
    struct pollfd fds[3] = {{.fd = sock, .events = POLLIN}, {.fd = sigchld_pipe[0], .events = POLLIN}, {.fd = 0, .events = POLLIN}};
    int n = poll(fds, forward_stdin ? 3 : 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
    }
    if (fds[1].revents & POLLIN) {
      char drain[64];
      while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {}
      if (running_child > 0) reap_child(sock);
    }
    if (forward_stdin && fds[2].revents) {
      char chunk[65536];
      ssize_t got = read(0, chunk, sizeof chunk);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) forward_stdin = 0;
      send_frame(sock, 'i', chunk, got > 0 ? (size_t)got : 0);
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    reserve(&in, 65536);
    ssize_t got = read(sock, in.data + in.len, in.cap - in.len);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (!accepted) return RETRY;
      fail("the resident simulator of %s ended during the call", home);
    }
    in.len += (size_t)got;
    size_t at = 0;
    while (in.len - at >= 5) {
      unsigned char *header = (unsigned char *)in.data + at;
      size_t len = ((size_t)header[1] << 24) | ((size_t)header[2] << 16) | ((size_t)header[3] << 8) | header[4];
      if (in.len - at - 5 < len) break;
      char type = (char)header[0];
      char *payload = in.data + at + 5;
      at += 5 + len;
      switch (type) {
        case 'a': accepted = 1; break;
        case 'o': out_open = out_open && write_all(1, payload, len); break;
        case 'e': err_open = err_open && write_all(2, payload, len); break;
        case 'i': forward_stdin = 1; break;
        case 'r': run_child(sock, payload, len); break;
        case 'f': exec_fallback(payload, len); break;
        case 'x': {
          char text[16] = {0};
          memcpy(text, payload, len < sizeof text - 1 ? len : sizeof text - 1);
          *exit_code = atoi(text);
          return DONE;
        }
        default: fail("unknown frame '%c' from the resident simulator", type);
      }
    }
    memmove(in.data, in.data + at, in.len - at);
    in.len -= at;
  }
}

int main(int argc, char **argv) {
  if (argc < 6) fail("usage: fleet-sim-client NODE LIBDIR HOME TOOL VERSION [ARG...]");
  home = argv[3];
  /* As Node does: a closed stdout is a failed write, not a death. */
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) fail("pipe: %s", strerror(errno));
  struct sigaction action = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, NULL);
  for (;;) {
    int sock = connect_or_start(argv[1], argv[2]);
    int exit_code = 0;
    enum outcome outcome = converse(sock, argc, argv, &exit_code);
    close(sock);
    if (outcome == DONE) return exit_code;
  }
}
