/* SPDX-License-Identifier: MIT */
/*
 * main.c: the gazette command: find the subcommand in the table (spec.c),
 * parse its arguments, run it, and make sure its output reached stdout.
 *
 * Exit status follows grep: 0 results or success, 1 nothing found, 2 an
 * error. Usage errors are one line on stderr naming the subcommand and
 * where its help is.
 *
 * A command group (gazette bench ner) takes its command from the second
 * word; "gazette bench" alone, or with -h, is about the group.
 */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

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

/* @p word is not a command of @p table (the top level's, or the group
 * @p parent's): say so, with the closest one. */
static int
unknown_command(const arg_cmd *parent, const arg_cmd *table, const char *word)
{
    const char *names[32];
    size_t n = 0;
    const char *hint;

    for (const arg_cmd *c = table; c->name && n < 32; c++)
        names[n++] = spec_word(c);
    hint = args_suggest(word, names, n);
    if (hint)
        return args_usage_error(
            parent, "unknown command '%s', did you mean '%s'?", word, hint);
    return args_usage_error(parent, "unknown command '%s'", word);
}

/* gazette GROUP [-h]: the group's help, or a usage error without one of
 * its commands. */
static int
run_group(const arg_cmd *group, int argc, char **argv)
{
    args a;
    int status = EXIT_TROUBLE;

    if (args_parse(&a, group, argc, argv) != EXIT_FOUND)
        return EXIT_TROUBLE;
    if (args_has(&a, "help")) {
        help_print(stdout, group);
        status = EXIT_FOUND;
    } else {
        args_usage_error(group, "missing COMMAND");
    }
    args_fini(&a);
    return status;
}

int
main(int argc, char **argv)
{
    const arg_cmd *cmd;
    args a;
    int status;

    /* An indexer frees its buffers at every segment and fills them again
     * at once. glibc would give the freed heap back to the kernel (and map
     * and unmap blocks of a few MiB each time), so the next segment paid a
     * page fault for every page again: 0.6 s of a 16 s build. A gazette
     * process is short-lived and its peak is its working set: keep what it
     * frees. */
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    if (argc < 2)
        return args_usage_error(&spec_top, "missing COMMAND");
    if (argv[1][0] == '-')
        return output_finish(run_top(argc - 1, argv + 1));
    cmd = spec_find(spec_commands, argv[1]);
    if (!cmd)
        return unknown_command(&spec_top, spec_commands, argv[1]);
    if (cmd->subs) {
        const arg_cmd *group = cmd;
        if (argc < 3 || argv[2][0] == '-')
            return output_finish(run_group(group, argc - 2, argv + 2));
        cmd = spec_find(group->subs, argv[2]);
        if (!cmd)
            return unknown_command(group, group->subs, argv[2]);
        argc--;
        argv++;
    }
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
