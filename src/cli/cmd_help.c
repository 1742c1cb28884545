/* cmd_help.c -- `citybrain help [command [subcommand]]`. */
#include "cli.h"

#include <string.h>

static int help_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_help = {
    .name = "help",
    .summary = "show help for a command",
    .usage = "help [command [subcommand]]",
    .description = "Show the overview, or the help of one command (the same as its --help).\n",
    .groups = { { NULL, NULL, NULL } },
    .examples = "  citybrain help run\n  citybrain help gen grid\n",
    .main = help_main,
};

static int help_main(const cli_command *self, int argc, char **argv)
{
    if (argc < 2) {
        cli_help_overview(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help_print(self, stdout);
        return CLI_EXIT_OK;
    }
    if (argv[1][0] == '-') return cli_usage_error(self, "unknown option '%s'", argv[1]);
    const cli_command *cmd = cli_command_find(argv[1]);
    if (!cmd) return cli_usage_error(self, "unknown command '%s'", argv[1]);
    if (argc >= 3) {
        const cli_command *sub = cli_subcommand_find(cmd, argv[2]);
        if (!sub) return cli_usage_error(self, "'%s' has no subcommand '%s'", argv[1], argv[2]);
        cmd = sub;
        if (argc > 3) return cli_usage_error(self, "unexpected argument '%s'", argv[3]);
    }
    cli_help_print(cmd, stdout);
    return CLI_EXIT_OK;
}
