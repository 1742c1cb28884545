/* cli_fs.c -- the little file-system help the commands need: making output
 * folders (gen grid -o, convert -o, run --replay-dir) and joining paths. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

bool cli_path_join(char *buf, size_t n, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    const char *sep = dl > 0 && dir[dl - 1] != '/' ? "/" : "";
    int w = snprintf(buf, n, "%s%s%s", dir, sep, name);
    return w >= 0 && (size_t)w < n;
}

static int mkdir_one(const char *path, bool *created)
{
    if (mkdir(path, 0777) == 0) {
        if (created) *created = true;
        return 0;
    }
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    return e == EEXIST ? ENOTDIR : e;
}

int cli_mkdirs(const char *path, bool *created)
{
    if (created) *created = false;
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0) return ENOENT;
    if (len >= sizeof buf) return ENAMETOOLONG;
    memcpy(buf, path, len + 1);
    /* Parents first; only the last component's creation is reported. */
    for (size_t i = 1; i < len; i++) {
        if (buf[i] != '/') continue;
        buf[i] = '\0';
        int e = mkdir_one(buf, NULL);
        buf[i] = '/';
        if (e) return e;
    }
    return mkdir_one(buf, created);
}

int cli_cityflow_out_open(const char *dir, cli_cityflow_out *o)
{
    if (!cli_path_join(o->roadnet, sizeof o->roadnet, dir, "roadnet.json") ||
        !cli_path_join(o->flow, sizeof o->flow, dir, "flow.json") ||
        !cli_path_join(o->config, sizeof o->config, dir, "config.json"))
        return cli_failf("%s: path too long", dir);
    int e_no = cli_mkdirs(dir, &o->created);
    if (e_no) return cli_failf("%s: cannot create folder: %s", dir, strerror(e_no));
    return 0;
}
