/*
 * cli.h - the chorus program's sub-commands.  Each returns the process exit
 * status (see README "Exit status"):
 *   0 ran, 1 other failure, 2 usage error, 3 bad input under --strict;
 *   scan --workspace: 5 new or grown clusters scored at least --alert-score.
 */
#ifndef CHORUS_CLI_H
#define CHORUS_CLI_H

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_INPUT = 3,
	CLI_EXIT_ALERT = 5
};

int cmd_scan(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* The program's whole command line (set by main; for provenance.json). */
extern int cli_argc;
extern char **cli_argv;

/* Print "chorus: <message>" (escaped for the terminal) and a newline. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
