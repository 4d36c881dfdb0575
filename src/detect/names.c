// SPDX-License-Identifier: GPL-2.0
/* Names of buffers and stages, and the classtype table (Emerging Threats' classification.config:
 * description and default priority, which becomes the alert's category and severity). */
#include <string.h>
#include "xdpi/detect.h"
#include "detect_int.h"

static const char *const buffer_names[] = {
#define XDPI_X_NAME(id, name) name,
	XDPI_BUFFERS(XDPI_X_NAME)
#undef XDPI_X_NAME
};

const char *xdpi_buffer_name(enum xdpi_buffer b)
{
	return b < XDPI_BUF_MAX ? buffer_names[b] : "?";
}

const char *xdpi_stage_name(enum xdpi_stage s)
{
	static const char *const names[] = { "packet", "http request", "http response",
					     "dns query", "tls client hello", "tls server",
					     "dns response", "http2 frame", "llm call" };

	return s < XDPI_STAGE_MAX ? names[s] : "?";
}

static const struct {
	const char *name, *desc;
	uint32_t prio;
} classtypes[] = {
	{ "not-suspicious", "Not Suspicious Traffic", 3 },
	{ "unknown", "Unknown Traffic", 3 },
	{ "bad-unknown", "Potentially Bad Traffic", 2 },
	{ "attempted-recon", "Attempted Information Leak", 2 },
	{ "successful-recon-limited", "Information Leak", 2 },
	{ "successful-recon-largescale", "Large Scale Information Leak", 2 },
	{ "attempted-dos", "Attempted Denial of Service", 2 },
	{ "successful-dos", "Denial of Service", 2 },
	{ "attempted-user", "Attempted User Privilege Gain", 1 },
	{ "unsuccessful-user", "Unsuccessful User Privilege Gain", 1 },
	{ "successful-user", "Successful User Privilege Gain", 1 },
	{ "attempted-admin", "Attempted Administrator Privilege Gain", 1 },
	{ "successful-admin", "Successful Administrator Privilege Gain", 1 },
	{ "rpc-portmap-decode", "Decode of an RPC Query", 2 },
	{ "shellcode-detect", "Executable code was detected", 1 },
	{ "string-detect", "A suspicious string was detected", 3 },
	{ "suspicious-filename-detect", "A suspicious filename was detected", 2 },
	{ "suspicious-login", "An attempted login using a suspicious username was detected", 2 },
	{ "system-call-detect", "A system call was detected", 2 },
	{ "tcp-connection", "A TCP connection was detected", 4 },
	{ "trojan-activity", "A Network Trojan was detected", 1 },
	{ "unusual-client-port-connection", "A client was using an unusual port", 2 },
	{ "network-scan", "Detection of a Network Scan", 3 },
	{ "denial-of-service", "Detection of a Denial of Service Attack", 2 },
	{ "non-standard-protocol", "Detection of a non-standard protocol or event", 2 },
	{ "protocol-command-decode", "Generic Protocol Command Decode", 3 },
	{ "web-application-activity", "access to a potentially vulnerable web application", 2 },
	{ "web-application-attack", "Web Application Attack", 1 },
	{ "misc-activity", "Misc activity", 3 },
	{ "misc-attack", "Misc Attack", 2 },
	{ "icmp-event", "Generic ICMP event", 3 },
	{ "inappropriate-content", "Inappropriate Content was Detected", 1 },
	{ "policy-violation", "Potential Corporate Privacy Violation", 1 },
	{ "default-login-attempt", "Attempt to login by a default username and password", 2 },
	{ "targeted-activity", "Targeted Malicious Activity was Detected", 1 },
	{ "exploit-kit", "Exploit Kit Activity Detected", 1 },
	{ "external-ip-check", "Device Retrieving External IP Address Detected", 2 },
	{ "domain-c2", "Domain Observed Used for C2 Detected", 1 },
	{ "pup-activity", "Possibly Unwanted Program Detected", 2 },
	{ "credential-theft", "Successful Credential Theft Detected", 1 },
	{ "social-engineering", "Possible Social Engineering Attempted", 2 },
	{ "coin-mining", "Crypto Currency Mining Activity Detected", 2 },
	{ "command-and-control", "Malware Command and Control Activity Detected", 1 },
};

static int classtype_index(const char *classtype)
{
	for (size_t i = 0; classtype && i < sizeof(classtypes) / sizeof(classtypes[0]); i++)
		if (!strcmp(classtypes[i].name, classtype))
			return (int)i;
	return -1;
}

uint32_t xdpi_classtype_priority(const char *classtype)
{
	int i = classtype_index(classtype);

	return i < 0 ? 3 : classtypes[i].prio;
}

const char *xdpi_classtype_desc(const char *classtype)
{
	int i = classtype_index(classtype);

	return i < 0 ? (classtype ? classtype : "") : classtypes[i].desc;
}
