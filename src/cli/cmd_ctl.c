// SPDX-License-Identifier: GPL-2.0
/* xdpi ctl -i IFACE COMMAND: acts on a running `xdpi run` through the maps it pinned
 * (xdpi/pins.h: per network namespace and interface). Nothing is restarted; the kernel applies
 * a change to the next packet. Before anything is touched, the pins are checked: ABI, layout,
 * owner; "not running", "not reachable from here" and "not permitted" are told apart. */
#define _GNU_SOURCE /* setns */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "xdpi/cidr_list.h"
#include "xdpi/host.h"
#include "xdpi/pins.h"
#include "xdpi/policy.h"
#include "xdpi/port_rules.h"

static const char synopsis[] =
	"usage: xdpi ctl -i IFACE COMMAND [ARGS] [OPTIONS]\n"
	"\n"
	"Changes the policy of the xdpi running on IFACE (`xdpi run -i IFACE`) without restarting\n"
	"it, through the maps it pinned under " XDPI_PIN_ROOT "/netns-INODE/IFACE (INODE: its\n"
	"network namespace's, as in `readlink /proc/self/ns/net`). Exit status: 0; 1 when the\n"
	"command failed; 2 for a usage error; 3 when no xdpi runs on IFACE here; 4 when one may run\n"
	"but cannot be reached from here (another network or mount namespace, or not permitted).\n"
	"\n"
	"Commands:\n"
	"  block CIDR...        drop packets from (ingress) and to (egress) each CIDR\n"
	"  allow CIDR...        never drop them, even inside a blocked range (longest prefix wins)\n"
	"  unblock CIDR...      remove each CIDR's entry, block or allow\n"
	"  list                 every entry: CIDR, action, rule id, seconds left; port rules\n"
	"  port-add RULE...     add port/protocol rules to incoming traffic, e.g. 'drop tcp/23',\n"
	"                       'allow tcp/22 from 198.51.100.0/24', 'drop icmp from CIDR'\n"
	"  port-del RULE...     remove them (the same text)\n"
	"  stats                the kernel's counters and each rule's packets and bytes\n"
	"  reload FILE          replace every entry of --rule N by FILE's CIDRs (--allow: as allows)\n"
	"                       in one step: packets never see half of the old and half of the new\n"
	"  limits [OPTIONS]     show the rate limits; with options (below), change those given\n"
	"  bypass PROTO SRC DST stop copying a flow to user space (the kernel still counts it);\n"
	"                       SRC and DST are ADDR:PORT, [IPV6]:PORT\n"
	"  lb                   the balancer's services (run --lb): backends, weights, health,\n"
	"                       counters\n"
	"  lb-weight VIP:PORT BACKEND W  a backend's weight; 0 drains it (no new connections,\n"
	"                       established ones keep it)\n"
	"  lb-add VIP:PORT BACKEND [W]   a new backend (weight 1 unless W)\n"
	"  lb-remove VIP:PORT BACKEND    out of the table; its connections move\n";

static const char epilogue[] =
	"Examples:\n"
	"  sudo xdpi ctl -i eth0 block 203.0.113.7 --ttl 600\n"
	"  sudo xdpi ctl --netns blue -i eth0 list\n"
	"  sudo xdpi ctl -i eth0 allow 198.51.100.0/24\n"
	"  sudo xdpi ctl -i eth0 list\n"
	"  sudo xdpi ctl -i eth0 port-add 'drop udp/1900' 'drop tcp/23'\n"
	"  sudo xdpi ctl -i eth0 reload --rule 1 drop_v4.txt\n"
	"  sudo xdpi ctl -i eth0 bypass tcp 198.51.100.4:443 203.0.113.9:51000\n"
	"  sudo xdpi ctl -i eth0 stats | grep policy_\n"
	"  sudo xdpi ctl -i eth0 limits --syn-dst-rate 2000 --icmp-limit 0\n"
	"  sudo xdpi ctl -i eth0 lb\n"
	"  sudo xdpi ctl -i eth0 lb-weight 198.51.100.10:80 198.18.30.12 0   # drain\n"
	"  sudo xdpi ctl -i eth0 lb-add 198.51.100.10:80 198.18.30.14 2\n";

struct ctl {
	const char *ifname;
	uint64_t ttl_s;
	uint64_t rule;
	bool rule_given;
	bool reload_allow;
	uint64_t vlan;
	int first; /* argv index of the COMMAND */
	const char *netns;
	struct xdpi_pins pins;
	int outer4, outer6, counters, flows, ports4, ports6, gen, limits;
	struct xdpi_rule_stats_maps rule_stats;
	struct cli_limits lim;
	struct xdpi_policy_fds pol;
};

/* ---- reaching the running instance ---- */

enum { EXIT_NOT_RUNNING = 3, EXIT_UNREACHABLE = 4 };

static int enter_netns(const char *ns)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "xdpi ctl: --netns %s: %s: %s\n", ns, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* 0, or the exit status that tells why the instance cannot be worked on. */
static int ctl_open(struct ctl *c)
{
	char why[768];

	if (c->netns && enter_netns(c->netns))
		return EXIT_UNREACHABLE;
	switch (xdpi_pins_open(c->ifname, &c->pins, why, sizeof(why))) {
	case XDPI_PINS_LIVE:
		break;
	case XDPI_PINS_PERSISTED:
		fprintf(stderr, "xdpi ctl: note: the xdpi that attached %s (pid %u) exited with "
			"--persist: its programs and policy stay, nobody inspects\n", c->ifname,
			c->pins.inst.pid);
		break;
	case XDPI_PINS_NOT_RUNNING:
	case XDPI_PINS_STALE:
		fprintf(stderr, "xdpi ctl: %s\n", why);
		return EXIT_NOT_RUNNING;
	case XDPI_PINS_MISMATCH:
		fprintf(stderr, "xdpi ctl: %s\n", why);
		return 1;
	default: /* elsewhere, not permitted, no bpffs here */
		fprintf(stderr, "xdpi ctl: %s\n", why);
		return EXIT_UNREACHABLE;
	}
	c->outer4 = c->pins.fd[XDPI_PIN_POLICY4];
	c->outer6 = c->pins.fd[XDPI_PIN_POLICY6];
	c->rule_stats.hash_fd = c->pins.fd[XDPI_PIN_RULE_STATS];
	c->rule_stats.low_fd = c->pins.fd[XDPI_PIN_RULE_STATS_LOW];
	c->counters = c->pins.fd[XDPI_PIN_COUNTERS];
	c->flows = c->pins.fd[XDPI_PIN_FLOWS];
	c->ports4 = c->pins.fd[XDPI_PIN_PORTS4];
	c->ports6 = c->pins.fd[XDPI_PIN_PORTS6];
	c->gen = c->pins.fd[XDPI_PIN_POLICY_GEN];
	c->limits = c->pins.fd[XDPI_PIN_LIMITS];
	c->pol = (struct xdpi_policy_fds){ c->outer4, c->outer6, c->gen };
	return 0;
}

static void ctl_close(struct ctl *c)
{
	xdpi_pins_close(&c->pins);
}

/* ---- block, allow, unblock ---- */

static int parse_cidr(const char *cmd, const char *arg, struct xdpi_cidr *out)
{
	struct xdpi_cidr_list l = { 0 };
	char err[512];
	int rc = xdpi_cidr_list_parse(cmd, arg, strlen(arg), &l, err, sizeof(err));

	if (!rc && l.count != 1) {
		snprintf(err, sizeof(err), "%s: '%s' is not a CIDR", cmd, arg);
		rc = -EINVAL;
	}
	if (rc)
		fprintf(stderr, "xdpi ctl: %s\n", err);
	else
		*out = l.entries[0];
	xdpi_cidr_list_free(&l);
	return rc;
}

/* Parses every argument first, so that a typo in the third changes nothing. */
static int parse_cidrs(const char *cmd, int argc, char **argv, struct xdpi_cidr *out)
{
	if (argc == 0) {
		fprintf(stderr, "xdpi ctl %s: give at least one CIDR\n", cmd);
		return -1;
	}
	for (int i = 0; i < argc; i++)
		if (parse_cidr(cmd, argv[i], &out[i]))
			return -1;
	return 0;
}

static int cmd_put(struct ctl *c, const char *cmd, uint8_t action, int argc, char **argv)
{
	struct xdpi_cidr *cidrs = calloc((size_t)argc + 1, sizeof(*cidrs));
	struct xdpi_policy_value v = { .action = action,
		.rule_id = c->rule_given ? (uint32_t)c->rule : XDPI_RULE_CTL };
	struct xdpi_policy_maps maps = XDPI_POLICY_MAPS_INIT;
	int rc = cidrs ? parse_cidrs(cmd, argc, argv, cidrs) : -1;
	char ttl[32];

	snprintf(ttl, sizeof(ttl), "%llus", (unsigned long long)c->ttl_s);
	if (!rc && c->ttl_s)
		v.expires_ns = xdpi_policy_now_ns() + c->ttl_s * XDPI_NS_PER_SEC;
	if (!rc)
		rc = xdpi_policy_tries_open(&c->pol, &maps);
	for (int i = 0; !rc && i < argc; i++) {
		char s[64];
		uint64_t decided = xdpi_policy_now_ns();

		rc = xdpi_policy_put(&maps, &cidrs[i], &v);
		xdpi_cidr_format(&cidrs[i], s, sizeof(s));
		if (rc)
			fprintf(stderr, "xdpi ctl %s %s: %s\n", cmd, s, strerror(-rc));
		else /* the decision's time: with `stats` (rule.N.first_s) it shows how soon the
		      * kernel applied it */
			printf("%s %s rule %u expires %s%s at monotonic %.6f s\n", cmd, s,
			       v.rule_id, c->ttl_s ? "in " : "never", c->ttl_s ? ttl : "",
			       (double)decided / 1e9);
	}
	xdpi_policy_tries_close(&maps);
	free(cidrs);
	return rc ? 1 : 0;
}

static int cmd_unblock(struct ctl *c, int argc, char **argv)
{
	struct xdpi_cidr *cidrs = calloc((size_t)argc + 1, sizeof(*cidrs));
	struct xdpi_policy_maps maps = XDPI_POLICY_MAPS_INIT;
	int rc = cidrs ? parse_cidrs("unblock", argc, argv, cidrs) : -1, bad = 0;

	if (!rc)
		rc = xdpi_policy_tries_open(&c->pol, &maps);
	for (int i = 0; !rc && i < argc; i++) {
		char s[64];
		int err = xdpi_policy_delete(&maps, &cidrs[i]);

		xdpi_cidr_format(&cidrs[i], s, sizeof(s));
		if (err) {
			fprintf(stderr, "xdpi ctl unblock %s: %s\n", s,
				err == -ENOENT ? "no such entry (see `xdpi ctl list`)" : strerror(-err));
			bad = 1;
		} else {
			printf("unblock %s\n", s);
		}
	}
	xdpi_policy_tries_close(&maps);
	free(cidrs);
	return rc || bad ? 1 : 0;
}

/* ---- port rules ---- */

/* Parses every rule first, so that a typo in the third changes nothing. */
static int cmd_port(struct ctl *c, bool del, int argc, char **argv)
{
	const char *cmd = del ? "port-del" : "port-add";
	uint32_t rule = c->rule_given ? (uint32_t)c->rule : XDPI_RULE_CTL;
	struct xdpi_port_rules rules = { 0 };
	char err[512], s[96];
	int rc = argc ? 0 : -1;

	if (!argc)
		fprintf(stderr, "xdpi ctl %s: give at least one rule, as in 'drop tcp/23'\n", cmd);
	for (int i = 0; !rc && i < argc; i++) {
		rc = xdpi_port_rules_parse(cmd, argv[i], strlen(argv[i]), &rules, err, sizeof(err));
		if (rc)
			fprintf(stderr, "xdpi ctl: %s\n", err);
	}
	for (size_t i = 0; !rc && i < rules.count; i++) {
		xdpi_port_rule_format(&rules.rules[i], s, sizeof(s));
		rc = xdpi_port_rule_apply(c->ports4, c->ports6, c->gen, &rules.rules[i], rule, del);
		if (rc)
			fprintf(stderr, "xdpi ctl %s '%s': %s\n", cmd, s, rc == -ENOENT ?
				"no such rule (see `xdpi ctl list`)" : strerror(-rc));
		else
			printf("%s '%s' rule %u\n", cmd, s, rule);
	}
	xdpi_port_rules_free(&rules);
	return rc ? 1 : 0;
}

/* ---- list, stats ---- */

struct list_ctx {
	const struct ctl *c;
	uint64_t now;
	size_t shown;
};

static int print_entry(void *ctx, const struct xdpi_cidr *cidr, const struct xdpi_policy_value *v)
{
	struct list_ctx *lc = ctx;
	char s[64];

	if (lc->c->rule_given && v->rule_id != lc->c->rule)
		return 0;
	xdpi_cidr_format(cidr, s, sizeof(s));
	printf("%-43s %-5s rule %-5u", s, v->action == XDPI_POLICY_DROP ? "block" : "allow",
	       v->rule_id);
	if (!v->expires_ns)
		printf(" expires never\n");
	else if (v->expires_ns <= lc->now)
		printf(" expired (removed at its next packet)\n");
	else
		printf(" expires in %.1fs\n", (double)(v->expires_ns - lc->now) / 1e9);
	lc->shown++;
	return 0;
}

static int print_port(void *ctx, const struct xdpi_port_rule *r, const struct xdpi_policy_value *v)
{
	struct list_ctx *lc = ctx;
	char s[96];

	if (lc->c->rule_given && v->rule_id != lc->c->rule)
		return 0;
	xdpi_port_rule_format(r, s, sizeof(s));
	printf("port %-38s rule %-5u %s\n", s, v->rule_id, r->has_cidr ? "" :
	       r->cidr.family == AF_INET ? "(IPv4)" : "(IPv6)");
	lc->shown++;
	return 0;
}

static int cmd_list(struct ctl *c)
{
	struct xdpi_policy_maps maps = XDPI_POLICY_MAPS_INIT;
	struct list_ctx lc = { .c = c, .now = xdpi_policy_now_ns() };
	int rc = xdpi_policy_tries_open(&c->pol, &maps);

	if (!rc)
		rc = xdpi_policy_walk(&maps, print_entry, &lc);
	if (!rc)
		rc = xdpi_port_rules_walk(c->ports4, c->ports6, print_port, &lc);
	xdpi_policy_tries_close(&maps);
	if (rc) {
		fprintf(stderr, "xdpi ctl list: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "%zu entries\n", lc.shown);
	return 0;
}

static int print_counters(const struct ctl *c)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpi_counters *pc = calloc((size_t)ncpu, sizeof(*pc));
	uint32_t zero = 0;

	if (!pc || bpf_map_lookup_elem(c->counters, &zero, pc)) {
		fprintf(stderr, "xdpi ctl stats: reading the counters: %s\n", strerror(errno));
		free(pc);
		return -1;
	}
	for (int i = 0; i < XDPI_CNT_MAX; i++) {
		uint64_t sum = 0;

		if (i == XDPI_CNT_REASON_BASE)
			continue; /* reason "none" */
		for (int cpu = 0; cpu < ncpu; cpu++)
			sum += pc[cpu].c[i];
		printf("%s%s %llu\n", i > XDPI_CNT_REASON_BASE ? "malformed." : "",
		       xdpi_kernel_counter_name((enum xdpi_counter)i), (unsigned long long)sum);
	}
	free(pc);
	return 0;
}

static void print_rule(uint32_t key, const struct xdpi_rule_stats *rs, void *ctx)
{
	(void)ctx;
	printf("rule.%u.pkts %llu\nrule.%u.bytes %llu\nrule.%u.first_s %.6f\n"
	       "rule.%u.last_s %.6f\n", key, (unsigned long long)rs->pkts, key,
	       (unsigned long long)rs->bytes, key, (double)rs->first_ns / 1e9, key,
	       (double)rs->last_ns / 1e9);
}

static int print_rules(const struct ctl *c)
{
	int err = xdpi_policy_rule_each(&c->rule_stats, print_rule, NULL);

	if (err)
		fprintf(stderr, "xdpi ctl: reading the rules' counters: %s\n", strerror(-err));
	return err ? 1 : 0;
}

static int cmd_stats(struct ctl *c)
{
	return print_counters(c) || print_rules(c) ? 1 : 0;
}

/* ---- limits ---- */

/* The kernel reads the limits on every packet: one update replaces them all at once. */
static int cmd_limits(struct ctl *c, int argc)
{
	struct xdpi_limits k;
	__u32 zero = 0;
	bool change = false;

	for (int i = 0; i < CLI_LIMIT_N; i++)
		change |= c->lim.given[i];
	if (argc) {
		fprintf(stderr, "xdpi ctl limits: takes options only, as in --syn-dst-rate 2000\n");
		return EXIT_USAGE;
	}
	if (bpf_map_lookup_elem(c->limits, &zero, &k)) {
		fprintf(stderr, "xdpi ctl limits: reading them: %s\n", strerror(errno));
		return 1;
	}
	if (change) {
		cli_limits_apply(&c->lim, &k);
		if (bpf_map_update_elem(c->limits, &zero, &k, BPF_ANY)) {
			fprintf(stderr, "xdpi ctl limits: writing them: %s\n", strerror(errno));
			return 1;
		}
	}
	cli_limits_print(&k, stdout);
	return 0;
}

/* ---- reload, bypass ---- */

static int cmd_reload(struct ctl *c, int argc, char **argv)
{
	struct xdpi_cidr_list list = { 0 };
	uint8_t action = c->reload_allow ? XDPI_POLICY_ALLOW : XDPI_POLICY_DROP;
	char err[512];
	int rc;

	if (argc != 1 || !c->rule_given) {
		fprintf(stderr, "xdpi ctl reload: give --rule N and one FILE\n");
		return EXIT_USAGE;
	}
	if (xdpi_cidr_list_load(argv[0], &list, err, sizeof(err))) {
		fprintf(stderr, "xdpi ctl reload: %s (nothing changed)\n", err);
		return 1;
	}
	rc = xdpi_policy_replace_rule(&c->pol, (uint32_t)c->rule, &list, action, err,
				      sizeof(err));
	if (rc)
		fprintf(stderr, "xdpi ctl reload: %s (the old entries stay)\n", err);
	else
		printf("reload rule %llu: %zu entries (%zu IPv4, %zu IPv6) %s from %s\n",
		       (unsigned long long)c->rule, list.count, list.v4, list.count - list.v4,
		       c->reload_allow ? "allow" : "block", argv[0]);
	xdpi_cidr_list_free(&list);
	return rc ? 1 : 0;
}

static int cmd_bypass(struct ctl *c, int argc, char **argv)
{
	struct xdpi_flow_key k;
	char err[256];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "xdpi ctl bypass: give PROTO SRC DST, as in `tcp 198.18.0.1:40000 "
			"198.18.0.2:80`\n");
		return EXIT_USAGE;
	}
	if (xdpi_flow_key_parse(argv[0], argv[1], argv[2], (uint16_t)c->vlan, &k, err,
				sizeof(err))) {
		fprintf(stderr, "xdpi ctl bypass: %s\n", err);
		return EXIT_USAGE;
	}
	rc = xdpi_flow_set_steer(c->flows, &k, XDPI_STEER_BYPASS, NULL);
	if (rc) {
		fprintf(stderr, "xdpi ctl bypass: %s\n", rc == -ENOENT ?
			"no such flow in the kernel's flow map" : strerror(-rc));
		return 1;
	}
	printf("bypass %s %s %s\n", argv[0], argv[1], argv[2]);
	return 0;
}

/* ---- arguments ---- */

static int opt_rule(void *ctx, const char *arg)
{
	struct ctl *c = ctx;

	c->rule_given = true;
	return cli_parse_u64("rule", arg, 1, UINT32_MAX, &c->rule);
}

static const struct cli_opt ctl_opts[] = {
	CLI_STR("interface", 'i', "IFACE", struct ctl, ifname, "the interface xdpi runs on (required)"),
	CLI_STR("netns", 0, "NS", struct ctl, netns,
		"act in network namespace NS: a name under /run/netns or a\n"
		"path such as /proc/PID/ns/net"),
	CLI_U64("ttl", 0, "S", struct ctl, ttl_s, 1, 10u * 365 * 86400,
		"block/allow: the entry expires after S seconds (default: never)"),
	CLI_FN("rule", 0, "N", opt_rule,
	       "block/allow/reload/list: rule id N (default 20 for block and\n"
	       "allow; list: only rule N). Rules 1-16 are `xdpi run`'s lists."),
	CLI_FLAG("allow", 0, struct ctl, reload_allow,
		 "reload: the file's entries allow instead of block"),
	CLI_U64("vlan", 0, "ID", struct ctl, vlan, 1, 4094,
		"bypass: the flow's outer VLAN id (default untagged)"),
};

static int parse_args(struct ctl *c, int argc, char **argv)
{
	struct cli_command cmd = {
		.name = "ctl", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(ctl_opts, c), cli_limits_group(&c->lim) },
		.ngroups = 2,
	};
	int rc = cli_opts_parse(&cmd, argc, argv, &c->first);

	if (rc)
		return rc;
	if (!c->ifname || c->first >= argc) {
		cli_error("ctl: %s (`xdpi ctl --help`)", c->ifname ? "give a COMMAND" :
			  "-i IFACE is required");
		return -1;
	}
	return 0;
}

static int dispatch(struct ctl *c, const char *cmd, int argc, char **argv)
{
	if (!strcmp(cmd, "block"))
		return cmd_put(c, "block", XDPI_POLICY_DROP, argc, argv);
	if (!strcmp(cmd, "allow"))
		return cmd_put(c, "allow", XDPI_POLICY_ALLOW, argc, argv);
	if (!strcmp(cmd, "unblock"))
		return cmd_unblock(c, argc, argv);
	if (!strcmp(cmd, "list"))
		return cmd_list(c);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(c);
	if (!strcmp(cmd, "reload"))
		return cmd_reload(c, argc, argv);
	if (!strcmp(cmd, "limits"))
		return cmd_limits(c, argc);
	if (!strcmp(cmd, "port-add") || !strcmp(cmd, "port-del"))
		return cmd_port(c, !strcmp(cmd, "port-del"), argc, argv);
	if (ctl_lb_command(cmd))
		return ctl_lb(&c->pins, cmd, argc, argv);
	return cmd_bypass(c, argc, argv);
}

static bool known_command(const char *cmd)
{
	static const char *const cmds[] = { "block", "allow", "unblock", "list", "stats",
					    "reload", "bypass", "port-add", "port-del",
					    "limits" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmd, cmds[i]))
			return true;
	return ctl_lb_command(cmd);
}

int cmd_ctl(int argc, char **argv)
{
	struct ctl c = { .outer4 = -1 };
	const char *cmd;
	int rc = parse_args(&c, argc, argv);

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	cmd = argv[c.first];
	if (!known_command(cmd)) {
		fprintf(stderr, "xdpi ctl: unknown command '%s' (`xdpi ctl --help` lists them)\n",
			cmd);
		return EXIT_USAGE;
	}
	if ((!strcmp(cmd, "list") || !strcmp(cmd, "stats")) && c.first + 1 < argc) {
		fprintf(stderr, "xdpi ctl %s: takes no arguments ('%s' given; `list --rule N` "
			"shows one rule)\n", cmd, argv[c.first + 1]);
		return EXIT_USAGE;
	}
	libbpf_set_print(NULL);
	for (int i = 0; i < XDPI_PIN_N; i++)
		c.pins.fd[i] = -1;
	if ((rc = ctl_open(&c))) {
		ctl_close(&c);
		return rc;
	}
	rc = dispatch(&c, cmd, argc - c.first - 1, argv + c.first + 1);
	ctl_close(&c);
	return rc;
}
