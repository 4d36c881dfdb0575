// SPDX-License-Identifier: GPL-2.0
/* Process context without the kernel: cgroup paths to containers as the runtimes name them,
 * and the EVE form (the client's end as process, the server's as peer, the container beside,
 * all inside the event's xdpi object whether the event has one or not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "xdpi/context.h"
#include "xdpi/json.h"

#define HEX64 "51e6a5020db159c2a5aac747985d5bd3af1fab1b1be2ab51634b3e1126d61035"

static void expect(const char *path, const char *runtime, const char *id)
{
	char got_id[80], got_rt[16];
	bool found = xdpi_container_parse(path, got_id, sizeof(got_id), got_rt, sizeof(got_rt));

	if (!runtime) {
		assert_false(found);
		return;
	}
	assert_true(found);
	assert_string_equal(got_rt, runtime);
	assert_string_equal(got_id, id);
}

static void test_container_paths(void **state)
{
	(void)state;
	expect("/system.slice/docker-" HEX64 ".scope", "docker", HEX64);
	expect("/docker/" HEX64, "docker", HEX64);
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
	       "cri-containerd-" HEX64 ".scope", "containerd", HEX64);
	expect("/kubepods/besteffort/pod0f1e/" HEX64, "containerd", HEX64);
	expect("/machine.slice/libpod-" HEX64 ".scope/container", "podman", HEX64);
	expect("/kubepods.slice/crio-" HEX64 ".scope", "cri-o", HEX64);
	expect("/system.slice/nginx.service", "systemd", "nginx.service");
	expect("/system.slice/docker-" HEX64 ".scope/app.service", "systemd", "app.service");
	expect("/", NULL, NULL);
	expect("/user.slice/user-1000.slice/session-2.scope", NULL, NULL);
	expect("/docker-zz.scope", NULL, NULL);
	expect("", NULL, NULL);
}

static void client_and_server(void *ctx, struct xdpi_json *j)
{
	xdpi_proc_ctx_json(j, ctx, 1); /* the client is the b side */
}

static json_t *event(bool with_xdpi, struct xdpi_proc_ctx *p)
{
	struct xdpi_json j;
	json_t *doc;

	xdpi_json_init(&j);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_str(&j, "event_type", "flow");
	j.xdpi_extra = client_and_server;
	j.xdpi_extra_ctx = p;
	xdpi_json_obj_open(&j, "flow");
	xdpi_json_obj_open(&j, "xdpi"); /* not the top-level one */
	xdpi_json_obj_close(&j);
	xdpi_json_obj_close(&j);
	if (with_xdpi) {
		xdpi_json_obj_open(&j, "xdpi");
		xdpi_json_str(&j, "steer", "head");
		xdpi_json_obj_close(&j);
	}
	xdpi_json_obj_close(&j);
	doc = json_loadb(j.buf, j.len, 0, NULL);
	assert_non_null(doc);
	assert_null(j.xdpi_extra); /* written once */
	xdpi_json_free(&j);
	return doc;
}

static void test_eve_form(void **state)
{
	struct xdpi_proc_ctx p = { 0 };
	json_t *doc, *x;

	(void)state;
	p.side[1] = (struct xdpi_proc_side){ .valid = true, .pid = 42, .uid = 65534, .comm = "curl",
					     .confidence = "high", .source = "tcp_io",
					     .cgroup = "/docker/" HEX64, .container_id = HEX64,
					     .runtime = "docker" };
	p.side[0] = (struct xdpi_proc_side){ .valid = true, .pid = 7, .comm = "nginx",
					     .confidence = "low", .source = "tcp_io" };
	for (int with = 0; with < 2; with++) {
		doc = event(with, &p);
		x = json_object_get(doc, "xdpi");
		assert_non_null(x);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "process"), "pid")), 42);
		assert_string_equal(json_string_value(json_object_get(json_object_get(x, "process"), "side")),
				    "client");
		assert_string_equal(json_string_value(json_object_get(json_object_get(x, "container"), "runtime")),
				    "docker");
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(x, "peer"),
				    "process"), "comm")), "nginx");
		assert_null(json_object_get(json_object_get(x, "peer"), "container"));
		assert_null(json_object_get(json_object_get(json_object_get(doc, "flow"), "xdpi"), "process"));
		if (with)
			assert_string_equal(json_string_value(json_object_get(x, "steer")), "head");
		json_decref(doc);
	}
	p.side[1].valid = false; /* only the server is ours: it is the process */
	doc = event(false, &p);
	x = json_object_get(doc, "xdpi");
	assert_string_equal(json_string_value(json_object_get(json_object_get(x, "process"), "side")), "server");
	assert_null(json_object_get(x, "peer"));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_paths),
		cmocka_unit_test(test_eve_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
