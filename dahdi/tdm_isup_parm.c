/* tdm_isup_parm.c - (being written) */
#include "tdm_int.h"
