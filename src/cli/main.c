// SPDX-License-Identifier: GPL-2.0
/* xdpi: the command table. Adding a subcommand: one cmd_<verb>.c and one row here. */
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "shared/xdpi_abi.h"
#include "xdpi/heap.h"

int cmd_read(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_ctl(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "attach to a live interface and inspect its traffic" },
	{ "read", cmd_read, "inspect a pcap/pcapng capture (optionally through the kernel)" },
	{ "ctl", cmd_ctl, "block, allow, list, reload, bypass on a running `xdpi run`" },
	{ "rules", cmd_rules, "check Suricata-style rule files: what loads, what is skipped" },
	{ "top", cmd_top, "a live terminal view of a running `xdpi run --metrics`" },
	{ "doctor", cmd_doctor, "what this host offers xdpi, what it lacks, and the fixes" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xdpi COMMAND [OPTIONS]\n\n"
		   "eBPF-assisted packet inspection: XDP/TC programs count every flow and steer\n"
		   "what is worth a look to user space, which decodes it and writes EVE JSON.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`xdpi COMMAND --help` describes each command's options.\n\n"
		   "Examples:\n"
		   "  sudo xdpi run -i eth0 -o eve.json\n"
		   "  xdpi read capture.pcap | jq 'select(.event_type==\"flow\")'\n"
		   "  sudo xdpi read --through-kernel capture.pcap\n"
		   "  sudo xdpi ctl -i eth0 block 203.0.113.0/24 --ttl 600\n"
		   "  xdpi rules check /etc/suricata/rules/*.rules\n"
		   "  xdpi top --metrics 127.0.0.1:9469\n"
		   "  sudo xdpi doctor -i eth0\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("xdpi 0.1 (kernel/user ABI %d)\n", XDPI_ABI_VERSION);
		return 0;
	}
	xdpi_heap_prepare();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "xdpi: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
