/*
 * map_number.h - telephone numbers between SIP (tel: URIs, sip:...;user=phone, RFC 3966) and
 * TDM (digits + nature of address), under a trunk's numbering plan (numbering.tbl).
 */
#ifndef MAP_NUMBER_H
#define MAP_NUMBER_H

#include <stddef.h>

#include "map_call.h"
#include "map_diag.h"
#include "map_table.h"

/*
 * Parse a telephone-subscriber (RFC 3966): "+1-555-555-1002", "5551002;phone-context=+1555",
 * "0301234567" (trunk prefixes).  Visual separators are removed, the nature of address is set from
 * '+', phone-context and the trunk's prefixes.  'what' names the field in error messages
 * (e.g. "target").  Returns 0, or -EINVAL with an error line in d.
 */
int map_number_parse(struct map_number *n, const char *sub, const struct map_trunk *tr, const char *what,
		     struct map_diag *d);

/* Parse "tel:..." (case-insensitive scheme); anything else is -EINVAL */
int map_number_parse_tel(struct map_number *n, const char *uri, const struct map_trunk *tr, const char *what,
			 struct map_diag *d);

/* Digits as they come from TDM (ISUP / Q.931): address signals 0-9 * #, a trailing ST '#' dropped */
int map_number_set_digits(struct map_number *n, const char *digits, int nai, const char *what,
			  struct map_diag *d);

/*
 * A number as TDM signalled it (raw: digits maybe with ST, the protocol's attributes already in the
 * model's codepoints) -> n.  Absent or empty numbers leave n alone; presentation 3 (reserved; ISUP:
 * "for restriction by the network") is read as restricted.
 */
int map_number_from_tdm(struct map_number *n, const struct map_number *raw, const char *what, struct map_diag *d);

/*
 * Write the number for SIP: "+<E.164>" for international and national (with the trunk's country
 * code) numbers and for numbers of unknown nature dialled with the trunk's prefixes; else the
 * digits, with ";phone-context=<local-context>" when the trunk has one.  Returns 0 or -ENOSPC.
 */
int map_number_to_sip(const struct map_number *n, const struct map_trunk *tr, char *buf, size_t len);

#endif
