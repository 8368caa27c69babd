/* Internal: Cholesky factorisation and solve of small dense symmetric
 * positive definite systems (row-major; Newton steps, normal equations). */
#ifndef HZ_NUMERIC_CHOL_H
#define HZ_NUMERIC_CHOL_H

#include <stdbool.h>
#include <stddef.h>

/* A = L L' in place (p x p, row-major; the lower triangle is read and
 * holds L on return).  False when a pivot is not finite or not above rtol
 * times its diagonal entry (rtol 0: not positive), i.e. A is not
 * (numerically) positive definite. */
bool hz__chol(double *A, size_t p, double rtol);

/* Solve L L' x = b in place (L from hz__chol). */
void hz__chol_solve(const double *L, size_t p, double *b);

/* The first column of the symmetric positive semi-definite A (p x p,
 * row-major: a Gram matrix of centred columns) that is a linear
 * combination of the columns before it, up to rtol: the share of its
 * variance those leave unexplained (A is read on the scale of its
 * diagonal, as correlations).  Returns its index and sets with[k] for
 * the earlier columns that take part in the combination (none for a
 * column that is zero); returns p when there is none.  work holds p * p
 * + p doubles. */
size_t hz__chol_aliased(const double *A, size_t p, double rtol, double *work,
                        bool *with);

#endif
