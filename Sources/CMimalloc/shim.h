#ifndef DOCKET_CMIMALLOC_SHIM_H
#define DOCKET_CMIMALLOC_SHIM_H
/* Debian's libmimalloc-dev: the options `docket` sets at start (Sources/Allocator). */
#include <mimalloc.h>
#endif
