// SPDX-License-Identifier: GPL-2.0
/* The default application table, data/apps.conf, linked into the binary as it is (so that
 * `xdpi read` names applications with no file to install). */
__asm__(".section .rodata\n"
	".global xdpi_apps_default_text\n"
	".global xdpi_apps_default_end\n"
	"xdpi_apps_default_text:\n"
	".incbin \"data/apps.conf\"\n"
	"xdpi_apps_default_end:\n"
	".byte 0\n"
	".previous\n");
