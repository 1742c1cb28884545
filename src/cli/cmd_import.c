/* cmd_import.c -- `citybrain import osm FILE.osm [-o DIR]`: an OpenStreetMap
 * extract to a SUMO network citybrain runs, through SUMO's netconvert
 * (Debian package `sumo`; never a build dependency: without it this
 * command explains what to install).
 *
 * netconvert is run directly (no shell) with options for a car network:
 * guessed and joined traffic signals with fixed-time plans, joined
 * junction clusters, guessed ramps and roundabouts, no sidewalks or
 * crossings, only edges cars may use.  DIR then holds NAME.net.xml and a
 * NAME.sumocfg naming it; `citybrain gen demand` adds traffic. */
#include "cli.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { IMP_OUT = 1, IMP_NETCONVERT, IMP_NO_SIGNALS };

static const cli_opt import_osm_opts[] = {
    { IMP_OUT, "out", 'o', "DIR", "output folder, created if missing", "the .osm file's folder" },
    { IMP_NETCONVERT, "netconvert", 0, "PATH", "the netconvert program to run", "netconvert from PATH" },
    { IMP_NO_SIGNALS, "no-guess-signals", 0, NULL, "keep only the signals OpenStreetMap tags", NULL },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int import_osm_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_import_osm = {
    .name = "import osm",
    .summary = "an OpenStreetMap extract to a SUMO network (runs netconvert)",
    .usage = "import osm FILE.osm [options]",
    .description =
        "Convert an OpenStreetMap extract into DIR/NAME.net.xml with SUMO's\n"
        "netconvert (Debian: apt-get install sumo) and write DIR/NAME.sumocfg.\n"
        "Options given to netconvert: signals guessed, joined and fixed-time,\n"
        "junction clusters joined, ramps and roundabouts guessed, no sidewalks or\n"
        "pedestrian crossings, only roads open to cars.  Add traffic with\n"
        "`citybrain gen demand`, then `citybrain run`.  docs/sumo.md explains each step.\n",
    .groups = { { NULL, import_osm_opts, NULL } },
    .examples =
        "  citybrain import osm town.osm -o town\n"
        "  citybrain gen demand town/town.net.xml --rate 1200 -o town/town.rou.xml\n"
        "  citybrain run town/town.net.xml --flow town/town.rou.xml --duration 3600\n",
    .main = import_osm_main,
};

static const cli_command *const import_subs[] = { &cli_cmd_import_osm, NULL };

const cli_command cli_cmd_import = {
    .name = "import",
    .summary = "import a city from another format (import osm FILE.osm)",
    .usage = "import <kind> [arguments]",
    .description = "Import a road network from another format.  SUMO files need no import:\n"
                   "`citybrain run` reads .sumocfg and .net.xml directly.\n",
    .groups = { { NULL, NULL, NULL } },
    .examples = "  citybrain import osm town.osm -o town\n",
    .subs = import_subs,
    .main = cli_subcommand_main,
};

/* Is `prog` runnable (a path, or a name found on PATH)? */
static bool program_found(const char *prog)
{
    if (strchr(prog, '/')) return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path) return false;
    char buf[4096];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n && n + strlen(prog) + 2 < sizeof buf) {
            memcpy(buf, path, n);
            buf[n] = '/';
            strcpy(buf + n + 1, prog);
            if (access(buf, X_OK) == 0) return true;
        }
        if (!colon) break;
        path = colon + 1;
    }
    return false;
}

/* NAME of DIR/NAME.osm[.gz|.xml] */
static void base_name(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    snprintf(out, n, "%s", slash ? slash + 1 : path);
    static const char *const ext[] = { ".osm.gz", ".osm.xml", ".osm", ".xml", NULL };
    size_t len = strlen(out);
    for (int i = 0; ext[i]; i++) {
        size_t e = strlen(ext[i]);
        if (len > e && strcmp(out + len - e, ext[i]) == 0) { out[len - e] = '\0'; break; }
    }
}

static int write_sumocfg(const char *path, const char *net_name)
{
    FILE *f = fopen(path, "w");
    if (!f) return errno;
    fprintf(f, "<configuration>\n    <input>\n        <net-file value=\"%s\"/>\n    </input>\n"
               "    <time>\n        <begin value=\"0\"/>\n        <end value=\"3600\"/>\n    </time>\n"
               "</configuration>\n", net_name);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) return errno ? errno : EIO;
    return 0;
}

static int import_osm_main(const cli_command *self, int argc, char **argv)
{
    const char *osm = NULL, *out = NULL, *netconvert = "netconvert";
    bool guess_signals = true;
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    int exit_status = -1;
    for (int id; (id = cli_next_own(&p, &osm, &exit_status)) != CLI_DONE;) {
        switch (id) {
        case IMP_OUT: out = p.value; break;
        case IMP_NETCONVERT: netconvert = p.value; break;
        case IMP_NO_SIGNALS: guess_signals = false; break;
        default: break;
        }
    }
    if (exit_status >= 0) return exit_status;
    if (!osm) return cli_usage_error(self, "missing FILE.osm");
    if (access(osm, R_OK) != 0) return cli_failf("%s: %s", osm, strerror(errno));
    if (!program_found(netconvert))
        return cli_failf("%s not found: install SUMO's netconvert (Debian 12: apt-get install sumo) or name it "
                         "with --netconvert PATH; docs/sumo.md shows the same conversion by hand", netconvert);
    char dir[4096], name[512], net[4096], cfg[4096], net_file[600];
    if (out) snprintf(dir, sizeof dir, "%s", out);
    else {
        const char *slash = strrchr(osm, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - osm) : 1, slash ? osm : ".");
    }
    base_name(osm, name, sizeof name);
    snprintf(net_file, sizeof net_file, "%s.net.xml", name);
    char cfg_file[600];
    snprintf(cfg_file, sizeof cfg_file, "%s.sumocfg", name);
    if (!cli_path_join(net, sizeof net, dir, net_file) || !cli_path_join(cfg, sizeof cfg, dir, cfg_file))
        return cli_failf("%s: path too long", dir);
    int e_no = cli_mkdirs(dir, NULL);
    if (e_no) return cli_failf("%s: cannot create folder: %s", dir, strerror(e_no));

    const char *args[64];
    int k = 0;
    args[k++] = netconvert;
    args[k++] = "--osm-files"; args[k++] = osm;
    args[k++] = "--output-file"; args[k++] = net;
    args[k++] = "--keep-edges.by-vclass"; args[k++] = "passenger";   /* roads for cars only */
    args[k++] = "--sidewalks.guess"; args[k++] = "false";             /* no pedestrians */
    args[k++] = "--crossings.guess"; args[k++] = "false";
    args[k++] = "--geometry.remove";                                   /* fewer, longer edges */
    args[k++] = "--roundabouts.guess";
    args[k++] = "--ramps.guess";
    args[k++] = "--junctions.join";                                    /* one junction per crossroads */
    args[k++] = "--tls.default-type"; args[k++] = "static";          /* fixed-time plans */
    if (guess_signals) {
        args[k++] = "--tls.guess-signals";
        args[k++] = "--tls.join";
        args[k++] = "--tls.discard-simple";
    }
    args[k++] = "--output.street-names";
    args[k++] = "--xml-validation"; args[k++] = "never";            /* works without SUMO_HOME */
    args[k++] = "--no-warnings";
    args[k] = NULL;
    fprintf(stderr, "citybrain: running");
    for (int i = 0; i < k; i++) fprintf(stderr, " %s", args[i]);
    fputc('\n', stderr);
    fflush(stderr);
    pid_t pid;
    int rc = posix_spawnp(&pid, netconvert, NULL, NULL, (char *const *)args, environ);
    if (rc) return cli_failf("cannot run %s: %s", netconvert, strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return cli_failf("waiting for %s: %s", netconvert, strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cli_failf("%s failed on %s (exit status %d); its messages are above", netconvert, osm,
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if ((e_no = write_sumocfg(cfg, net_file))) return cli_failf("%s: %s", cfg, strerror(e_no));
    printf("%s\n%s\n", net, cfg);
    return CLI_EXIT_OK;
}
