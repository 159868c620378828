/* span_dahdi.c - (being written) */
#include "tdm_int.h"
