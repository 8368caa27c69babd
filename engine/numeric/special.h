/* Internal: special functions that GSL does not provide robustly enough. */
#ifndef HZ_NUMERIC_SPECIAL_H
#define HZ_NUMERIC_SPECIAL_H

/* Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its power series
 * (terms summed until they no longer change the sum); NaN when c is a
 * non-positive integer or z is out of range.  Used instead of
 * gsl_sf_hyperg_2F1, whose transformations fail (GSL_EMAXITER/EDOM and the
 * default handler's abort) for some BG/NBD parameter sets near z = 1. */
double hz__hyp2f1(double a, double b, double c, double z);

#endif
