/* main.c -- the `citybrain` entry point: global options and the command table.
 *
 *   citybrain [--help | --version] <command> [arguments]
 *
 * Every command lives in its own cmd_*.c file and is reached through the
 * table below.  A new command is a new cmd_*.c defining a cli_command plus
 * one line in cli_commands[]. */
#include "cli.h"

#include <string.h>

extern const cli_command cli_cmd_serve;   /* cmd_serve.c (the service's own header is src/serve/serve.h) */
extern const cli_command cli_cmd_bench;   /* cmd_bench.c */
extern const cli_command cli_cmd_import;  /* cmd_import.c */
extern const cli_command cli_cmd_convert; /* cmd_convert.c */

const cli_command *const cli_commands[] = {
    &cli_cmd_run,
    &cli_cmd_gen,
    &cli_cmd_validate,
    &cli_cmd_serve,
    &cli_cmd_bench,
    &cli_cmd_import,
    &cli_cmd_convert,
    &cli_cmd_help,
    NULL
};

const cli_command *cli_command_find(const char *name)
{
    for (int i = 0; cli_commands[i]; i++)
        if (strcmp(cli_commands[i]->name, name) == 0) return cli_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        cli_help_overview(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("citybrain %s\n", CB_VERSION);
        return CLI_EXIT_OK;
    }
    if (first[0] == '-') {
        fprintf(stderr, "citybrain: unknown option '%s'\nTry 'citybrain --help'.\n", first);
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = cli_command_find(first);
    if (!cmd) {
        fprintf(stderr, "citybrain: unknown command '%s'\nTry 'citybrain help'.\n", first);
        return CLI_EXIT_USAGE;
    }
    int rc = cmd->main(cmd, argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* A full disk or a closed pipe must not look like success. */
        fprintf(stderr, "citybrain: cannot write the output\n");
        return rc ? rc : CLI_EXIT_FAIL;
    }
    return rc;
}
