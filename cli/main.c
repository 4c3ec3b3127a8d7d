/* SPDX-License-Identifier: MIT */
/*
 * main.c: the gazette command: find the subcommand in the table (spec.c),
 * parse its arguments, run it, and make sure its output reached stdout.
 *
 * Exit status follows grep: 0 results or success, 1 nothing found, 2 an
 * error. Usage errors are one line on stderr naming the subcommand and
 * where its help is.
 */
#include <stdio.h>
#include <string.h>

#include "gazette.h"

#include "args.h"
#include "generate.h"
#include "help.h"
#include "output.h"
#include "spec.h"

/* gazette -h | -V | --generate KIND */
static int
run_top(int argc, char **argv)
{
    args a;
    int status = EXIT_FOUND;

    if (args_parse(&a, &spec_top, argc, argv) != EXIT_FOUND)
        return EXIT_TROUBLE;
    if (args_has(&a, "help"))
        help_print(stdout, &spec_top);
    else if (args_has(&a, "version"))
        printf("gazette %s\n", gzt_version());
    else if (args_has(&a, "generate"))
        status = generate_run(stdout, args_get(&a, "generate"));
    args_fini(&a);
    return status;
}

static int
unknown_command(const char *name)
{
    const char *names[16];
    size_t n = 0;
    const char *hint;

    for (const arg_cmd *c = spec_commands; c->name && n < 16; c++)
        names[n++] = c->name;
    hint = args_suggest(name, names, n);
    if (hint)
        return args_usage_error(
            &spec_top, "unknown command '%s', did you mean '%s'?", name, hint);
    return args_usage_error(&spec_top, "unknown command '%s'", name);
}

int
main(int argc, char **argv)
{
    const arg_cmd *cmd;
    args a;
    int status;

    if (argc < 2)
        return args_usage_error(&spec_top, "missing COMMAND");
    if (argv[1][0] == '-')
        return output_finish(run_top(argc - 1, argv + 1));
    cmd = spec_find(argv[1]);
    if (!cmd)
        return unknown_command(argv[1]);
    if (args_parse(&a, cmd, argc - 2, argv + 2) != EXIT_FOUND)
        return EXIT_TROUBLE;
    if (args_has(&a, "help")) {
        help_print(stdout, cmd);
        status = EXIT_FOUND;
    } else {
        status = cmd->run(&a);
    }
    args_fini(&a);
    return output_finish(status);
}
