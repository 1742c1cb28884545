/* cli_help.c -- renders --help from the command and option tables.
 *
 * Help is generated, not written by hand, so that an option added to a
 * table is documented (with its default) the moment it exists. */
#include "cli.h"

#include <string.h>

enum { HELP_COLUMN = 30 };    /* where option descriptions start */

const cli_command *cli_subcommand_find(const cli_command *parent, const char *name)
{
    if (!parent->subs) return NULL;
    size_t plen = strlen(parent->name);
    for (int i = 0; parent->subs[i]; i++) {
        const char *full = parent->subs[i]->name;     /* "gen grid" */
        if (strncmp(full, parent->name, plen) == 0 && full[plen] == ' ' && strcmp(full + plen + 1, name) == 0)
            return parent->subs[i];
    }
    return NULL;
}

/* "grid, demand": the short names of parent's subcommands. */
static void sub_names(const cli_command *parent, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; parent->subs && parent->subs[i] && len < cap; i++) {
        const char *full = parent->subs[i]->name, *sp = strchr(full, ' ');
        int n = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", sp ? sp + 1 : full);
        if (n < 0) break;
        len += (size_t)n;
    }
}

int cli_subcommand_main(const cli_command *parent, int argc, char **argv)
{
    char names[256];
    sub_names(parent, names, sizeof names);
    if (argc < 2) return cli_usage_error(parent, "missing <kind> (%s)", names);
    const char *kind = argv[1];
    if (strcmp(kind, "--help") == 0 || strcmp(kind, "-h") == 0) {
        cli_help_print(parent, stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *sub = cli_subcommand_find(parent, kind);
    if (!sub) {
        if (kind[0] == '-') return cli_usage_error(parent, "unknown option '%s'", kind);
        return cli_usage_error(parent, "unknown kind '%s' (available: %s)", kind, names);
    }
    return sub->main(sub, argc - 1, argv + 1);
}

static void print_opt(FILE *f, const cli_opt *o, const char *dflt)
{
    char left[128];
    int n;
    if (o->short_name) n = snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->name);
    else n = snprintf(left, sizeof left, "      --%s", o->name);
    if (o->metavar && n >= 0 && (size_t)n < sizeof left)
        snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar);
    fputs(left, f);
    int width = (int)strlen(left);
    if (width + 2 > HELP_COLUMN) { fputc('\n', f); width = 0; }
    fprintf(f, "%*s%s", HELP_COLUMN - width, "", o->help);
    if (dflt && dflt[0]) fprintf(f, " (default %s)", dflt);
    fputc('\n', f);
}

void cli_help_print(const cli_command *cmd, FILE *f)
{
    fprintf(f, "Usage: citybrain %s\n\n", cmd->usage);
    if (cmd->description) fprintf(f, "%s\n", cmd->description);
    if (cmd->subs) {
        fprintf(f, "Subcommands:\n");
        for (int i = 0; cmd->subs[i]; i++) {
            const char *short_name = strchr(cmd->subs[i]->name, ' ');
            fprintf(f, "  %-10s %s\n", short_name ? short_name + 1 : cmd->subs[i]->name, cmd->subs[i]->summary);
        }
        fputc('\n', f);
    }
    fprintf(f, "Options:\n");
    static const cli_opt help_opt = { 1, "help", 'h', NULL, "show this help and exit", NULL };
    print_opt(f, &help_opt, NULL);
    for (int g = 0; g < CLI_MAX_GROUPS && cmd->groups[g].opts; g++) {
        const cli_optgroup *grp = &cmd->groups[g];
        if (grp->title) fprintf(f, "\n%s:\n", grp->title);
        for (const cli_opt *o = grp->opts; o->id; o++) {
            char buf[64] = "";
            if (grp->defaults) grp->defaults(o->id, buf, sizeof buf);
            print_opt(f, o, grp->defaults ? buf : o->dflt);
        }
    }
    if (cmd->more_help) cmd->more_help(f);
    if (cmd->examples) fprintf(f, "\nExamples:\n%s", cmd->examples);
}

void cli_help_overview(FILE *f)
{
    fprintf(f,
            "citybrain %s -- an open city brain built on a CityFlow-compatible traffic\n"
            "simulator.\n\n"
            "Usage: citybrain <command> [arguments]\n"
            "       citybrain --help | --version\n\n"
            "Commands:\n",
            CB_VERSION);
    for (int i = 0; cli_commands[i]; i++) fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f,
            "\nOptions:\n"
            "  -h, --help     show this help and exit\n"
            "  -V, --version  print the version and exit\n\n"
            "Exit status: 0 success, 1 runtime or input error, 2 usage error.\n"
            "Run 'citybrain help <command>' or 'citybrain <command> --help' for details.\n");
}
