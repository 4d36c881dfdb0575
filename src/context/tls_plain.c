// SPDX-License-Identifier: GPL-2.0
/* TLS plaintext from the TLS libraries (bpf/tls_probe.bpf.c): finds every distinct file that
 * carries OpenSSL 3 or GnuTLS (the host's libraries, those running processes map, through
 * /proc/PID/root for containers with their own copy, and executables that export the
 * functions, as Debian's node does), resolves the functions' file offsets with libelf and
 * attaches one uprobe and one uretprobe per function and file (pid -1: every process that maps
 * the file, now or later). Files are identified by device and inode, so a library mapped by
 * a thousand processes is probed once. A process that starts (the exec tracepoint) is looked at
 * once its loader has mapped its libraries (a few tens of ms later), and /proc is looked through
 * again every few seconds for what that missed.
 * The ring's records go to the engine as XDPI_LINK_PLAINTEXT packets. Every probe is a
 * bpf_link: gone when xdpi exits, however it exits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/tls_probe.skel.h"
#include "xdpi/context.h"
#include "xdpi/flow.h"
#include "xdpi/log.h"

#define FILES_MAX 64        /* distinct library files probed */
#define SEEN_MAX 4096       /* distinct files looked into (most carry no TLS library) */
#define LINKS_MAX (FILES_MAX * 20) /* an entry and a return per function */
#define RESCAN_NS (3 * XDPI_NS_PER_SEC)
/* A started process is looked at twice: once its loader mapped its libraries, and again a
 * second later (an interpreter loads its TLS module when the program imports it). */
#define EXEC_DELAY_NS (50 * 1000000ull)
#define EXEC_AGAIN_NS (1000 * 1000000ull)
#define EXEC_PENDING 256

/* The functions probed: name, entry program, return program. */
struct probe_fn {
	const char *name;
	uint8_t lib;
	size_t entry, ret; /* offsetof the programs in the skeleton's progs */
};

#define PROG(p) offsetof(struct tls_probe, progs.p)
static const struct probe_fn probe_fns[] = {
	{ "SSL_write", XDPI_PLAIN_OPENSSL, PROG(ssl_write), PROG(ssl_ret) },
	{ "SSL_read", XDPI_PLAIN_OPENSSL, PROG(ssl_read), PROG(ssl_ret) },
	{ "SSL_write_ex", XDPI_PLAIN_OPENSSL, PROG(ssl_write_ex), PROG(ssl_ex_ret) },
	{ "SSL_read_ex", XDPI_PLAIN_OPENSSL, PROG(ssl_read_ex), PROG(ssl_ex_ret) },
	{ "gnutls_record_send", XDPI_PLAIN_GNUTLS, PROG(gnutls_send), PROG(gnutls_ret) },
	{ "gnutls_record_recv", XDPI_PLAIN_GNUTLS, PROG(gnutls_recv), PROG(gnutls_ret) },
	/* the handshakes, only to learn each session's socket (SSL_accept and SSL_connect run
	 * SSL_do_handshake: probing them too would nest two calls on one thread) */
	{ "SSL_do_handshake", XDPI_PLAIN_OPENSSL, PROG(tls_handshake), PROG(tls_handshake_ret) },
	{ "gnutls_handshake", XDPI_PLAIN_GNUTLS, PROG(tls_handshake), PROG(tls_handshake_ret) },
};
#define NFNS (sizeof(probe_fns) / sizeof(probe_fns[0]))

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct xdpi_tls_plain {
	struct tls_probe *skel;
	struct ring_buffer *rb;
	xdpi_tls_plain_fn fn;
	void *ctx;
	struct file_id seen[SEEN_MAX];
	uint32_t nseen;
	struct bpf_link *links[LINKS_MAX];
	uint32_t nlinks;
	uint64_t next_scan;
	struct ring_buffer *exec_rb;
	struct { uint32_t pid; uint8_t looks; uint64_t at; } pending[EXEC_PENDING]; /* started */
	uint32_t npending;
	uint64_t now;
	struct xdpi_tls_plain_stats st;
};

/* ---- ELF: a function's file offset ---- */

/* The file offset of the code at virtual address VADDR: its PT_LOAD segment says. */
static long vaddr_to_offset(Elf *e, GElf_Addr vaddr)
{
	size_t n;

	if (elf_getphdrnum(e, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz)
			return (long)(vaddr - ph.p_vaddr + ph.p_offset);
	}
	return -1;
}

/* OFFS[i]: the file offset of probe_fns[i] in the dynamic symbols (0: not there). */
static int elf_offsets(const char *path, long offs[NFNS])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf_Scn *scn = NULL;
	Elf *e;

	memset(offs, 0, sizeof(long) * NFNS);
	if (fd < 0)
		return -1;
	if (!(e = elf_begin(fd, ELF_C_READ, NULL))) {
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value || !(name = elf_strptr(e, sh.sh_link, sym.st_name)))
				continue;
			for (size_t f = 0; f < NFNS; f++)
				if (!offs[f] && !strcmp(name, probe_fns[f].name) &&
				    (offs[f] = vaddr_to_offset(e, sym.st_value)) > 0)
					found++;
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

/* ---- attaching ---- */

/* Was this file looked into already? If not, it is now remembered (false). */
static bool seen_file(struct xdpi_tls_plain *t, const struct stat *s)
{
	for (uint32_t i = 0; i < t->nseen; i++)
		if (t->seen[i].dev == s->st_dev && t->seen[i].ino == s->st_ino)
			return true;
	if (t->nseen == SEEN_MAX) {
		t->st.files_refused++; /* counted each time: a bound, said */
		return true;
	}
	t->seen[t->nseen++] = (struct file_id){ s->st_dev, s->st_ino };
	return false;
}

static struct bpf_program *prog_at(struct tls_probe *skel, size_t off)
{
	return *(struct bpf_program **)((char *)skel + off);
}

/* Probes every function PATH exports, once per file. */
static void probe_file(struct xdpi_tls_plain *t, const char *path)
{
	uint8_t lib = 0;
	long offs[NFNS];
	struct stat s;

	if (stat(path, &s) || !S_ISREG(s.st_mode) || seen_file(t, &s) ||
	    elf_offsets(path, offs) <= 0)
		return;
	if (t->st.files == FILES_MAX) {
		t->st.files_refused++;
		return;
	}
	for (size_t f = 0; f < NFNS; f++) {
		struct bpf_link *in, *out;

		if (!offs[f] || t->nlinks + 2 > LINKS_MAX)
			continue;
		in = bpf_program__attach_uprobe(prog_at(t->skel, probe_fns[f].entry), false, -1,
						path, (size_t)offs[f]);
		out = in ? bpf_program__attach_uprobe(prog_at(t->skel, probe_fns[f].ret), true, -1,
						      path, (size_t)offs[f]) : NULL;
		if (!in || !out) {
			bpf_link__destroy(in);
			t->st.attach_errors++;
			continue;
		}
		t->links[t->nlinks++] = in;
		t->links[t->nlinks++] = out;
		lib = probe_fns[f].lib;
	}
	if (lib) {
		t->st.files++;
		xdpi_log_note("tls plaintext: probing %s (%s)\n", path, xdpi_plain_lib_name(lib));
	}
}

static bool tls_library_name(const char *base)
{
	return !strncmp(base, "libssl.so", 9) || !strncmp(base, "libgnutls.so", 12);
}

/* The libraries of one process (its maps, seen through its root: a container's own copy),
 * and its executable when it exports the functions itself. */
static void scan_process(struct xdpi_tls_plain *t, const char *pid)
{
	char path[64], line[512], file[384];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	probe_file(t, path);
	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strchr(line, '/'), *base;
		size_t n;

		if (!p || !strstr(line, " r-xp ") || !(base = strrchr(p, '/')) ||
		    !tls_library_name(base + 1))
			continue;
		n = strcspn(p, "\n");
		snprintf(file, sizeof(file), "/proc/%s/root%.*s", pid, (int)n, p);
		probe_file(t, file);
	}
	fclose(f);
}

static void scan(struct xdpi_tls_plain *t)
{
	static const char *const host[] = {
		"/usr/lib/x86_64-linux-gnu/libssl.so.3", "/lib/x86_64-linux-gnu/libssl.so.3",
		"/usr/lib/x86_64-linux-gnu/libgnutls.so.30", "/usr/lib64/libssl.so.3",
		"/usr/lib/aarch64-linux-gnu/libssl.so.3", "/usr/lib/aarch64-linux-gnu/libgnutls.so.30",
		"/usr/bin/node",
	};
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		if (!access(host[i], R_OK))
			probe_file(t, host[i]); /* processes started later map these */
	if (!(d = opendir("/proc")))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			scan_process(t, de->d_name);
	closedir(d);
	t->st.scans++;
}

/* ---- started processes ---- */

static int on_exec(void *ctx, void *data, size_t size)
{
	struct xdpi_tls_plain *t = ctx;
	uint32_t pid;

	if (size != sizeof(pid))
		return 0;
	memcpy(&pid, data, sizeof(pid));
	if (t->npending == EXEC_PENDING) {
		t->st.execs_left_to_rescan++; /* the periodic look through /proc finds it */
		return 0;
	}
	t->pending[t->npending].pid = pid;
	t->pending[t->npending].looks = 0;
	t->pending[t->npending++].at = t->now + EXEC_DELAY_NS;
	return 0;
}

/* The started processes whose time came: their maps. */
static void scan_started(struct xdpi_tls_plain *t)
{
	uint32_t keep = 0;

	for (uint32_t i = 0; i < t->npending; i++) {
		char pid[16];

		if (t->pending[i].at > t->now) {
			t->pending[keep++] = t->pending[i];
			continue;
		}
		snprintf(pid, sizeof(pid), "%u", t->pending[i].pid);
		scan_process(t, pid);
		t->st.execs_looked_at++;
		if (++t->pending[i].looks < 2) {
			t->pending[i].at = t->now + EXEC_AGAIN_NS;
			t->pending[keep++] = t->pending[i];
		}
	}
	t->npending = keep;
}

/* ---- the ring ---- */

static int on_record(void *ctx, void *data, size_t size)
{
	struct xdpi_tls_plain *t = ctx;
	const struct xdpi_plain_hdr *h = data;

	if (size < sizeof(*h) || h->copied > size - sizeof(*h)) {
		t->st.bad_records++;
		return 0;
	}
	t->st.records++;
	t->fn(t->ctx, h, (const uint8_t *)data + sizeof(*h));
	return 0;
}

struct xdpi_tls_plain *xdpi_tls_plain__open(const struct xdpi_tls_plain_cfg *cfg, char *err,
					     size_t errlen)
{
	struct xdpi_tls_plain *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->fn = cfg->fn;
	t->ctx = cfg->ctx;
	elf_version(EV_CURRENT);
	if (!(t->skel = tls_probe__open())) {
		snprintf(err, errlen, "opening the TLS probes failed: %s", strerror(errno));
		goto fail;
	}
	t->skel->rodata->copy_max = cfg->copy_max && cfg->copy_max < XDPI_PLAIN_COPY_MAX
					    ? cfg->copy_max : XDPI_PLAIN_COPY_MAX;
	if ((rc = tls_probe__load(t->skel))) {
		snprintf(err, errlen, "loading the TLS probes failed: %s (needs uprobes, BTF "
			 "tracepoints and CAP_BPF + CAP_PERFMON)", strerror(-rc));
		goto fail;
	}
	/* the socket tracepoints only: the uprobes are attached file by file */
	if (!(t->links[t->nlinks++] = bpf_program__attach(t->skel->progs.tls_on_send)) ||
	    !(t->links[t->nlinks++] = bpf_program__attach(t->skel->progs.tls_on_recv))) {
		snprintf(err, errlen, "attaching the socket tracepoints failed: %s", strerror(errno));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.plain_ring), on_record, t, NULL);
	t->exec_rb = ring_buffer__new(bpf_map__fd(t->skel->maps.exec_ring), on_exec, t, NULL);
	if (!t->exec_rb || !(t->links[t->nlinks++] = bpf_program__attach(t->skel->progs.tls_on_exec))) {
		snprintf(err, errlen, "the exec tracepoint: %s", strerror(errno));
		goto fail;
	}
	if (!t->rb) {
		snprintf(err, errlen, "the plaintext ring: %s", strerror(errno));
		goto fail;
	}
	scan(t);
	if (!t->st.files)
		xdpi_log_note("tls plaintext: no OpenSSL or GnuTLS found yet (looking again every "
			      "3 s)\n");
	return t;
fail:
	xdpi_tls_plain__free(t);
	return NULL;
}

int xdpi_tls_plain__drain(struct xdpi_tls_plain *t, uint64_t now)
{
	t->now = now;
	ring_buffer__consume(t->exec_rb);
	if (t->npending)
		scan_started(t);
	if (now >= t->next_scan) {
		if (t->next_scan)
			scan(t);
		t->next_scan = now + RESCAN_NS;
	}
	return ring_buffer__consume(t->rb);
}

void xdpi_tls_plain__stats(const struct xdpi_tls_plain *t, struct xdpi_tls_plain_stats *st)
{
	int ncpu = libbpf_num_possible_cpus();

	*st = t->st;
	for (uint32_t k = 0; k < XDPI_PLAIN_CNT_MAX && ncpu > 0; k++) {
		uint64_t v[ncpu];

		if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.plain_counters), &k, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			st->kernel[k] += v[c];
	}
}

void xdpi_tls_plain__free(struct xdpi_tls_plain *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	ring_buffer__free(t->exec_rb);
	for (uint32_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	tls_probe__destroy(t->skel);
	free(t);
}

const char *xdpi_plain_lib_name(uint8_t lib)
{
	return lib == XDPI_PLAIN_OPENSSL ? "openssl" : lib == XDPI_PLAIN_GNUTLS ? "gnutls" : "unknown";
}
