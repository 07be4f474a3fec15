/**
 * @file gazsync.h
 * @brief Everything of gazsync's public API.
 */
#ifndef GAZSYNC_H
#define GAZSYNC_H

#include "gazsync/config.h"
#include "gazsync/entity.h"
#include "gazsync/error.h"
#include "gazsync/gazelle.h"
#include "gazsync/health.h"
#include "gazsync/http.h"
#include "gazsync/pull.h"
#include "gazsync/push.h"
#include "gazsync/push_probe.h"
#include "gazsync/store.h"
#include "gazsync/sync.h"
#include "gazsync/tokens.h"
#include "gazsync/version.h"

#endif
