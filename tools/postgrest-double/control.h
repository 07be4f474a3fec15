/* /__double/faults and /__double/stats: see README.md. */
#ifndef PD_CONTROL_H
#define PD_CONTROL_H

#include "double.h"

#define PD_CONTROL_PREFIX "/__double/"

void pd_control(pd_response *resp, pd_context *ctx, const pd_request *req);

#endif
