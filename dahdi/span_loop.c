/* span_loop.c - (being written) */
#include "tdm_int.h"
