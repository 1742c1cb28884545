/* test_load_util.h -- helpers of the loader tests (test_load_*.c): a private
 * temporary folder, the small inputs of tests/data, deriving a bad input
 * from a good one by one text substitution, and checking an error against
 * an expected code and message fragments without stopping the table.
 *
 * A private folder (mkdtemp) rather than $TMPDIR/<name>, because several
 * developers run the same tests at the same time on this machine, and
 * because the files must have their real names: the messages under test
 * start with "flow.json: ...". */
#ifndef CB_TEST_LOAD_UTIL_H
#define CB_TEST_LOAD_UTIL_H

#include "test.h"
#include "citybrain.h"

#include <dirent.h>
#include <stdbool.h>
#include <unistd.h>

static char tl_dir_[256];

static inline void tl_cleanup_(void)
{
    DIR *d = opendir(tl_dir_);
    if (!d) return;
    struct dirent *de;
    char p[512];
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", tl_dir_, de->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(tl_dir_);
}

/* The folder, created on first use and removed at exit. */
static inline const char *tl_dir(void)
{
    if (!tl_dir_[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tl_dir_, sizeof tl_dir_, "%s/cb_test_load_XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(tl_dir_)) { perror("mkdtemp"); exit(1); }
        atexit(tl_cleanup_);
    }
    return tl_dir_;
}

/* Write `len` bytes to <dir>/<name>; returns the path (one of 8 rotating
 * buffers). */
static inline const char *tl_write_n(const char *name, const char *text, size_t len)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ & 7];
    snprintf(p, 512, "%s/%s", tl_dir(), name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) { perror(p); exit(1); }
    return p;
}

static inline const char *tl_write(const char *name, const char *text)
{
    return tl_write_n(name, text, strlen(text));
}

/* Contents of tests/data/<name> (caller frees); exits if unreadable,
 * because then the test itself is broken. */
static inline char *tl_read_data(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/tests/data/%s", CB_SOURCE_DIR, name);
    FILE *f = fopen(p, "rb");
    if (!f) { perror(p); exit(1); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) { perror(p); exit(1); }
    s[n] = '\0';
    fclose(f);
    return s;
}

/* `text` with the single occurrence of `find` replaced (caller frees).
 * NULL when `find` occurs zero or several times: the case is then
 * ambiguous and the test must say so rather than test something else. */
static inline char *tl_replace(const char *text, const char *find, const char *repl)
{
    const char *at = strstr(text, find);
    if (!at || strstr(at + 1, find)) return NULL;
    size_t a = (size_t)(at - text), f = strlen(find), r = strlen(repl), n = strlen(text);
    char *s = malloc(n - f + r + 1);
    memcpy(s, text, a);
    memcpy(s + a, repl, r);
    memcpy(s + a + r, at + f, n - a - f + 1);
    return s;
}

/* Up to 4 fragments the message must contain, in this order. */
typedef struct tl_expect {
    int code;
    const char *frag[4];
} tl_expect;

/* Check one outcome; on mismatch print the case and mark the test failed
 * but return so that the rest of a table still runs. */
static inline bool tl_check(const char *label, int rc, const cb_error *err, const tl_expect *want)
{
    bool ok = rc == want->code && err->code == want->code;
    const char *from = err->msg;
    for (int i = 0; ok && i < 4 && want->frag[i]; i++) {
        const char *hit = strstr(from, want->frag[i]);
        if (!hit) ok = false;
        else from = hit + strlen(want->frag[i]);
    }
    if (!ok) {
        fprintf(stderr, "  case %s: got %s \"%s\"\n    want %s with", label, cb_status_name(rc),
                err->msg, cb_status_name(want->code));
        for (int i = 0; i < 4 && want->frag[i]; i++) fprintf(stderr, " \"%s\"", want->frag[i]);
        fputc('\n', stderr);
        test_failed_ = 1;
    }
    return ok;
}

#endif
