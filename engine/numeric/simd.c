/* The switch between the baseline and the AVX2 builds of vector code
 * (numeric/simd.h). */
#include "numeric/simd.h"

bool hz__simd_avx2_allowed = true;
