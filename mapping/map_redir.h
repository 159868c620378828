/*
 * map_redir.h - the redirection rules shared by every direction (RFC 4458 section 3 and
 * MAPPING.md): cause <-> reason, the default counter, original reason, indicator and the
 * presentation marks that RFC 3323 privacy asks for toward TDM.
 */
#ifndef MAP_REDIR_H
#define MAP_REDIR_H

#include "map_call.h"
#include "map_diag.h"
#include "map_table.h"

/* a cause parameter's text -> status code; -EINVAL unless exactly three digits 100-699 */
int map_redir_parse_cause(const char *text, int *cause);
/* the same for the len characters at text (inside a longer string) */
int map_redir_parse_cause_n(const char *text, size_t len, int *cause);

/* set redir.reason (and redir.cause) from an RFC 4458 cause; an unmapped cause is unconditional */
void map_redir_set_cause(struct map_call *call, const struct map_tables *t, int cause, struct map_diag *d);

/*
 * Complete a call that came from SIP before it goes to TDM: counter 1 unless more is known,
 * original called number = redirecting number unless history says otherwise, original reason,
 * redirecting indicator (restricted under privacy), presentation restricted under privacy,
 * diversion treatment from Ms-Sensitivity.
 */
void map_redir_complete_for_tdm(struct map_call *call, const struct map_tables *t, struct map_diag *d);

/*
 * The RFC 4458 cause for SIP: the exact cause when the call carries one, else the table's cause
 * for the reason (0: a target without cause).  A carried cause always agrees with the reason:
 * map_redir_set_cause derives the reason from it, map_redir_uui_cause drops one that disagrees.
 */
int map_redir_cause_for_sip(const struct map_call *call, const struct map_tables *t, struct map_diag *d);

/*
 * A call from TDM whose user-to-user data carried the exact cause: keep it when its reason, sent
 * through the protocol's table rt, gives the code that arrived (then the reason becomes the exact
 * one); else a device in between changed the redirection and the cause is dropped.
 */
void map_redir_uui_cause(struct map_call *call, const struct map_tables *t, const struct map_rtable *rt, int code,
			 struct map_diag *d);

/* report (MAP_DIAG_LOSSY) when a reason cannot be carried exactly by a protocol's table */
void map_redir_check_lossy(const struct map_rtable *rt, int reason, const char *what, struct map_diag *d);

#endif
