/* tdm_circuit.c - (being written) */
#include "tdm_int.h"
