/* harness.c - (being written) */
#include "harness.h"
