/* BLAS calls on one thread (see blas_serial.h). */
#include <omp.h>

#include "numeric/blas_serial.h"

int hz__blas_serial_enter(void)
{
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    return saved;
}

void hz__blas_serial_leave(int saved)
{
    omp_set_num_threads(saved > 0 ? saved : 1);
}
