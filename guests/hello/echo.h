/* SPDX-License-Identifier: MIT */
/* hello's echo mode: a line-reading loop on COM1 for the broker's console command. */
#ifndef HELLO_ECHO_H
#define HELLO_ECHO_H

/* Read lines typed on COM1 and print each back as "echo: LINE" until "quit". */
void hello_echo(void);

#endif
