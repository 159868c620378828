/* tdm_pri.c - (being written) */
#include "tdm_int.h"
const struct tdm_sig_ops tdm_pri_ops = { .name = "pri" };
