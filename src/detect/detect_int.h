/* SPDX-License-Identifier: GPL-2.0 */
/* Detection internals shared by the files of src/detect. */
#ifndef XDPI_DETECT_INT_H
#define XDPI_DETECT_INT_H

#include <stdint.h>

/* Emerging Threats' classification.config: the default priority (3 if unknown) and the
 * description (the alert's category) of a classtype. */
uint32_t xdpi_classtype_priority(const char *classtype);
const char *xdpi_classtype_desc(const char *classtype);

#endif /* XDPI_DETECT_INT_H */
