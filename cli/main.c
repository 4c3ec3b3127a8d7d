/* SPDX-License-Identifier: MIT */
/* placeholder until the CLI lands */
#include "gazette.h"
#include <stdio.h>
int
main(void)
{
    puts(gzt_version());
    return 0;
}
