/* span_int.h - (being written) */
#ifndef SPAN_INT_H
#define SPAN_INT_H
#include "span.h"
#endif
