/* tdm_isup.c - (being written) */
#include "tdm_int.h"
const struct tdm_sig_ops tdm_isup_ops = { .name = "isup" };
