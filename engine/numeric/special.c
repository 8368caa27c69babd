/* Special functions not taken from GSL.  See numeric/special.h. */
#include <float.h>
#include <math.h>

#include "numeric/special.h"

double hz__hyp2f1(double a, double b, double c, double z)
{
    if (!(z >= 0.0 && z < 1.0))
        return NAN;
    if (c <= 0.0 && c == floor(c))
        return NAN;
    double sum = 1.0, term = 1.0;
    for (int n = 0; n < 2000000; n++) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        double ns = sum + term;
        if (ns == sum && fabs(term) <= DBL_EPSILON * fabs(sum) &&
            (a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2.0)) * z < 1.0)
            return ns;
        sum = ns;
        if (!isfinite(sum))
            return NAN;
    }
    return sum;
}
