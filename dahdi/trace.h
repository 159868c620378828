/* trace.h - (being written) */
#ifndef TRACE_H
#define TRACE_H
#endif
