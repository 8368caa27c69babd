/* Internal: BLAS calls on one thread, so that their results do not
 * depend on the thread count.
 *
 * OpenBLAS's OpenMP build follows the calling thread's OpenMP setting
 * (omp_get_max_threads) at every call, and some of its kernels (dgemv,
 * the blocked factorisations under GSL) split a sum between threads and
 * add the parts: with --threads 1, 2 or 7 a reconciled forecast then
 * differed in its last digits (1.5e-11 relative on 335 nodes).  The
 * matrices of one reconciliation are small (nodes x nodes) and are
 * computed once, so one thread costs little there. */
#ifndef HZ_NUMERIC_BLAS_SERIAL_H
#define HZ_NUMERIC_BLAS_SERIAL_H

/* Set this thread's OpenMP thread count to 1; returns the count to give
 * back to hz__blas_serial_leave. */
int hz__blas_serial_enter(void);
void hz__blas_serial_leave(int saved);

#endif
