/* tdm_isup_parm.h - (being written) */
#ifndef TDM_ISUP_PARM_H
#define TDM_ISUP_PARM_H
#endif
