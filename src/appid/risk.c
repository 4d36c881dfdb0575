// SPDX-License-Identifier: GPL-2.0
/* The names of flow risks, as EVE (xdpi.risks[].risk), metrics and rules write them. */
#include "xdpi/appid.h"

static const char *const risk_names[XDPI_RISK_MAX] = {
	[XDPI_RISK_UNIDIRECTIONAL] = "unidirectional_traffic",
	[XDPI_RISK_UNSAFE_PROTOCOL] = "unsafe_protocol",
	[XDPI_RISK_NON_STANDARD_PORT] = "known_protocol_on_non_standard_port",
	[XDPI_RISK_TLS_NOT_HTTPS] = "tls_not_carrying_https",
	[XDPI_RISK_TLS_OBSOLETE] = "tls_obsolete_version",
	[XDPI_RISK_TLS_WEAK_CIPHER] = "tls_weak_cipher",
	[XDPI_RISK_TLS_MISSING_SNI] = "tls_missing_sni",
	[XDPI_RISK_NUMERIC_NAME] = "numeric_ip_host",
	[XDPI_RISK_TLS_CERT_EXPIRED] = "tls_certificate_expired",
	[XDPI_RISK_TLS_SELF_SIGNED] = "tls_self_signed_certificate",
	[XDPI_RISK_HTTP_BINARY] = "binary_application_transfer",
	[XDPI_RISK_HTTP_SUSPICIOUS_UA] = "http_suspicious_user_agent",
	[XDPI_RISK_DNS_SUSPICIOUS] = "dns_suspicious_name",
};

const char *xdpi_risk_name(enum xdpi_risk r)
{
	return (unsigned)r < XDPI_RISK_MAX ? risk_names[r] : "unknown";
}
