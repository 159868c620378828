/*
 * map_isup.h - the call model <-> ISUP (ITU-T Q.763) IAM parameters.
 *
 * struct map_isup holds the values that libss7's setters take (isup_set_called,
 * isup_set_calling, isup_set_redirecting_number, isup_set_orig_called_num,
 * isup_set_redirection_info) and its IAM event gives; they are Q.763 codepoints.  The parameters
 * libss7 has no API for (Call diversion treatment indicators 0x6E, User-to-user information 0x20)
 * and every parameter the mapping touches can also be written and read as raw Q.763 octets
 * (parameter contents, without parameter code and length).
 */
#ifndef MAP_ISUP_H
#define MAP_ISUP_H

#include <stddef.h>
#include <stdint.h>

#include "map_call.h"
#include "map_diag.h"
#include "map_table.h"
#include "map_uui.h"

/* Q.763 parameter codes */
#define MAP_ISUP_CALLED_PARTY_NUMBER 0x04
#define MAP_ISUP_CALLING_PARTY_NUMBER 0x0A
#define MAP_ISUP_REDIRECTING_NUMBER 0x0B
#define MAP_ISUP_REDIRECTION_INFORMATION 0x13
#define MAP_ISUP_USER_TO_USER 0x20
#define MAP_ISUP_ORIGINAL_CALLED_NUMBER 0x28
#define MAP_ISUP_CALL_DIVERSION_TREATMENT 0x6E

#define MAP_ISUP_COUNTER_MAX 5	/* Q.763 3.45: redirection counter 1-5 */
#define MAP_ISUP_NUM_OCTETS (2 + (MAP_DIGITS_MAX + 1) / 2)

struct map_isup_number {
	int present;
	char digits[MAP_DIGITS_MAX + 1];
	int nai;	/* Q.763 nature of address indicator */
	int npi;	/* numbering plan indicator */
	int pres;	/* address presentation restricted indicator (calling, redirecting, original called) */
	int screen;	/* screening indicator (calling) */
};

struct map_isup {
	struct map_isup_number called, calling, redirecting, orig_called;
	int redir_present;
	int redir_ind;		/* isup_set_redirection_info(c, ind, orig_reason, counter, reason) */
	int redir_orig_reason;
	int redir_counter;
	int redir_reason;
	int cdti;		/* call to be diverted indicator, 0 = parameter absent */
	unsigned char uui[MAP_UUI_MAX + 1];
	size_t uui_len;
};

/* call -> ISUP.  Lossy cases (counter above 5) are reported in d. */
int map_isup_from_call(const struct map_call *call, const struct map_tables *t, struct map_isup *out,
		       struct map_diag *d);
/* ISUP -> call.  trusted: the trunk is trusted (skip-pin in user-to-user is honoured) */
int map_isup_to_call(const struct map_isup *in, const struct map_tables *t, int trusted, struct map_call *call,
		     struct map_diag *d);

/* raw parameter contents; encoders return the octet count or -ENOSPC, decoders 0 or -EINVAL */
int map_isup_number_encode(const struct map_isup_number *n, int code, uint8_t *buf, size_t len);
int map_isup_number_decode(struct map_isup_number *n, int code, const uint8_t *buf, size_t len);
int map_isup_redir_info_encode(const struct map_isup *p, uint8_t *buf, size_t len);
int map_isup_redir_info_decode(struct map_isup *p, const uint8_t *buf, size_t len);
int map_isup_cdti_encode(int cdti, uint8_t *buf, size_t len);
int map_isup_cdti_decode(int *cdti, const uint8_t *buf, size_t len);

#endif
