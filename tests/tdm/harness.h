/* harness.h - (being written) */
#ifndef HARNESS_H
#define HARNESS_H
#endif
