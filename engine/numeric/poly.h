/* Internal: root location of real polynomials (ETS admissibility). */
#ifndef HZ_NUMERIC_POLY_H
#define HZ_NUMERIC_POLY_H

#include <stdbool.h>

/* Highest degree hz__poly_roots_in_unit_disc accepts. */
#define HZ_POLY_MAX_DEG 26

/* True when every root of c[0] z^d + c[1] z^(d-1) + ... + c[d] lies in
 * the closed disc |z| <= 1 + 1e-10 (forecast's tolerance), by a
 * division-free Schur-Cohn recursion; false for d > HZ_POLY_MAX_DEG. */
bool hz__poly_roots_in_unit_disc(const double *c, int d);

/* hz__poly_roots_in_unit_disc for four polynomials of degree d side by
 * side: coefficient i of polynomial k is c[4 i + k]; the answers in
 * out[k], each the one hz__poly_roots_in_unit_disc gives. */
void hz__poly_roots_in_unit_disc4(const double *c, int d, bool out[4]);

#endif
