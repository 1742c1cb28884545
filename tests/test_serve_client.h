/* test_serve_client.h -- what the service's tests share: start the
 * `citybrain serve` binary on a free loopback port with a fresh database,
 * speak HTTP/1.1 to it, and stop it with a signal.
 *
 * The server is our own binary (CB_BINARY), started by the test itself, so
 * the tests need no service running on the machine.  Port 0 lets the kernel
 * choose a free port; the server prints the URL it got, and the admin token
 * of a new database, which start_server reads from its stdout. */
#ifndef CB_TEST_SERVE_CLIENT_H
#define CB_TEST_SERVE_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct test_server {
    pid_t pid;
    int port;
    char token[128];          /* the admin token printed on first start ("" later) */
    char out[4096];           /* what it printed before it was ready */
} test_server;

/* Start `citybrain serve --db DB --listen 127.0.0.1:0 [extra...]` and wait
 * (at most 30 s) for its URL line.  Returns 0 or -1. */
static inline int start_server(test_server *s, const char *db, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    int fd[2];
    if (pipe(fd)) return -1;
    const char *argv[32];
    int n = 0;
    argv[n++] = CB_BINARY;
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--city";
    argv[n++] = CB_SOURCE_DIR "/examples/jinan_3x4";
    for (int i = 0; extra && extra[i] && n < 30; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid < 0) return -1;
    if (s->pid == 0) {
        /* A test that fails half-way must not leave its server running. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fd[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        close(fd[0]);
        close(fd[1]);
        execv(CB_BINARY, (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    size_t used = 0;
    time_t t0 = time(NULL);
    int rc = -1;
    while (time(NULL) - t0 < 30 && used < sizeof s->out - 1) {
        struct pollfd p = { fd[0], POLLIN, 0 };
        if (poll(&p, 1, 1000) <= 0) continue;
        ssize_t k = read(fd[0], s->out + used, sizeof s->out - 1 - used);
        if (k <= 0) break;
        used += (size_t)k;
        s->out[used] = '\0';
        const char *u = strstr(s->out, "http://");
        if (u && strchr(u, '\n') && strchr(u + 7, ':')) {
            s->port = atoi(strchr(u + 7, ':') + 1);
            const char *t = strstr(s->out, "admin token: ");
            if (t) sscanf(t + 13, "%127s", s->token);
            /* the token line follows the URL line at once when there is one */
            if (!t) {
                struct pollfd q = { fd[0], POLLIN, 0 };
                if (poll(&q, 1, 200) > 0) {
                    k = read(fd[0], s->out + used, sizeof s->out - 1 - used);
                    if (k > 0) {
                        used += (size_t)k;
                        s->out[used] = '\0';
                        t = strstr(s->out, "admin token: ");
                        if (t) sscanf(t + 13, "%127s", s->token);
                    }
                }
            }
            rc = 0;
            break;
        }
    }
    close(fd[0]);
    if (rc) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    return rc;
}

/* Stop with `sig` and wait; returns the exit status (or 128+signal). */
static inline int stop_server(test_server *s, int sig)
{
    if (s->pid <= 0) return -1;
    kill(s->pid, sig);
    int st = 0;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

typedef struct test_resp {
    int status;
    char *body;               /* malloc'ed, NUL-terminated */
    size_t len;
} test_resp;

static inline void resp_free(test_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

static inline int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send raw bytes, read the whole answer (the request asks to close). */
static inline int http_raw(int port, const char *req, size_t req_len, test_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = connect_port(port);
    if (fd < 0) return -1;
    size_t sent = 0;
    while (sent < req_len) {
        ssize_t k = send(fd, req + sent, req_len - sent, MSG_NOSIGNAL);
        if (k <= 0) break;           /* the server may answer early and close */
        sent += (size_t)k;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 4096 > cap) buf = realloc(buf, cap *= 2);
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 20000) <= 0) break;
        ssize_t k = recv(fd, buf + n, cap - n - 1, 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0) {
        free(buf);
        return -1;
    }
    out->status = atoi(buf + 9);
    char *b = strstr(buf, "\r\n\r\n");
    b = b ? b + 4 : buf + n;
    out->len = (size_t)(buf + n - b);
    out->body = malloc(out->len + 1);
    memcpy(out->body, b, out->len);
    out->body[out->len] = '\0';
    free(buf);
    return 0;
}

/* METHOD path with an optional bearer token and body. */
static inline int http(int port, const char *method, const char *path, const char *token, const char *body,
                test_resp *out)
{
    size_t bl = body ? strlen(body) : 0;
    size_t cap = bl + 1024;
    char *req = malloc(cap);
    int n = snprintf(req, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%sContent-Length: %zu\r\n"
                     "Content-Type: application/json\r\n\r\n",
                     method, path, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "", bl);
    if (bl) memcpy(req + n, body, bl);
    int rc = http_raw(port, req, (size_t)n + bl, out);
    free(req);
    return rc;
}

/* A token of `role` made with the admin token; "" on failure. */
static inline void make_token(const test_server *s, const char *role, char *out, size_t cap)
{
    char body[128];
    snprintf(body, sizeof body, "{\"role\":\"%s\",\"label\":\"test %s\"}", role, role);
    test_resp r;
    out[0] = '\0';
    if (http(s->port, "POST", "/api/v1/tokens", s->token, body, &r)) return;
    const char *t = strstr(r.body, "\"token\":\"");
    if (r.status == 201 && t) {
        t += 9;
        size_t n = strcspn(t, "\"");
        if (n < cap) {
            memcpy(out, t, n);
            out[n] = '\0';
        }
    }
    resp_free(&r);
}

/* A fresh database path under TMPDIR (old files removed). */
static inline const char *fresh_db(const char *name)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 512, "%s/%s-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name, (int)getpid());
    char side[600];
    unlink(p);
    snprintf(side, sizeof side, "%s-wal", p);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", p);
    unlink(side);
    return p;
}

#endif
