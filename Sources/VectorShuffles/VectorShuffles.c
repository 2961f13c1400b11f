// Header-only: the shuffles are static inline functions in include/VectorShuffles.h.
#include "VectorShuffles.h"
