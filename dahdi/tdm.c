/* tdm.c - (being written) */
#include "tdm_int.h"
