/*
 * harness.h - run a TDM configuration (loopback spans) in the test process and record what the
 * owner's callback receives, so a test can place calls on one span and watch them arrive on its
 * peer.  Every wait has a deadline.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include "ev.h"
#include "ini.h"
#include "tdm.h"
#include "tdm_conf.h"

struct hev {
	int type;			/* enum tdm_ev_type */
	struct tdm_call *call;
	int cause, inband, up;
	char span[TDM_NAME_MAX];
	struct tdm_setup setup;		/* TDM_EV_SETUP */
	int seen;
};

struct harness {
	struct ev_loop *loop;
	struct ini *ini;
	struct tdm_conf conf;
	struct tdm *tdm;
	struct hev **ev;		/* each record allocated alone: a pointer stays valid until harness_clear */
	size_t nev, cap;
	/* optional: called for every event before it is recorded; return 1 to not record it */
	int (*hook)(struct harness *h, const struct tdm_event *ev);
	void *user;
	char err[512];
};

/* parse ini_text (strict: span sections only), start the spans; 0 or negative errno (h->err says why) */
int harness_start(struct harness *h, const char *ini_text);
void harness_stop(struct harness *h);
/* run the loop for ms milliseconds */
void harness_run(struct harness *h, int ms);
/* run until every span's link is up and no circuit is busy or resetting; 0 or -ETIMEDOUT */
int harness_wait_links(struct harness *h, int ms);
/* run until the next unseen event of type (on span, NULL = any) arrives; marks it seen; NULL on timeout */
struct hev *harness_wait(struct harness *h, int type, const char *span, int ms);
/* run until span reports its link up (1) or down (0) with an event not yet seen; 0 or -ETIMEDOUT */
int harness_wait_link(struct harness *h, const char *span, int up, int ms);
/* run until cond(h, arg) is true; 0 or -ETIMEDOUT */
int harness_until(struct harness *h, int (*cond)(struct harness *h, void *arg), void *arg, int ms);
/* forget recorded events */
void harness_clear(struct harness *h);
/* state of circuit cic (ISUP) / chan (PRI) of span; -1 if none */
int harness_cstate(struct harness *h, const char *span, int cic, int *blocked);
/* a setup with called/calling numbers (national) and nothing else */
void harness_setup(struct tdm_setup *s, const char *called, const char *calling);
/* ... diverted by target (numbered like the called party) for reason: indicator 3 "call diverted",
 * original reason derived, counter 1; the original called number is left to the caller */
void harness_redirect(struct tdm_setup *s, const char *target, int reason);
/* ... asking for no diversion: CDTI "not allowed", Ms-Sensitivity private-no-diversion, and the
 * user-to-user payload "UM/1;cause=486;sens=private-no-diversion" */
void harness_no_diversion(struct tdm_setup *s);

#endif
