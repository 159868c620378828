/* tdm_conf.c - (being written) */
#include "tdm_int.h"
