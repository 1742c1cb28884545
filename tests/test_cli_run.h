/* test_cli_run.h -- running the built `citybrain` binary (CB_BINARY) from a
 * test, as a user runs it: a child process with stdin from /dev/null, its
 * exit status and whole stdout / stderr captured.  Shared by the command
 * line tests (test_cli.c, test_control_cli.c, test_emergency_cli.c). */
#ifndef CB_TEST_CLI_RUN_H
#define CB_TEST_CLI_RUN_H

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct cli_result {
    int code;                 /* exit status; -1 if it did not exit normally */
    char *out, *err;          /* whole stdout / stderr, NUL-terminated (malloc) */
} cli_result;

/* A whole file as a malloc'ed string ("" if unreadable). */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("");
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf) buf[len] = '\0';
    return buf ? buf : strdup("");
}

/* Run `citybrain args...` (NULL-terminated) in `cwd` (NULL: this one); its
 * output goes through the files out_path and err_path. */
static inline cli_result cli_run_argv(const char *const *args, const char *cwd, const char *out_path,
                                      const char *err_path)
{
    cli_result r = { -1, NULL, NULL };
    const char *argv[64] = { CB_BINARY };
    int n = 1;
    for (; args[n - 1] && n < 63; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        execv(CB_BINARY, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.code = WEXITSTATUS(status);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

static inline void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
}

/* The number after the first "key": in a JSON text, NAN if absent. */
static inline double json_num(const char *json, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

#endif
