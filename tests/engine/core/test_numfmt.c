/* The writers' fast number formatting equals printf("%.15g") exactly. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/textout.h"
#include "numeric/rng.h"
#include "hz_test.h"

static int check(double v)
{
    char a[64], b[64];
    size_t l = hz__fmt_g15(v, a);
    snprintf(b, sizeof b, "%.15g", v);
    if (!isfinite(v))
        return l == 0 ? 0 : 1;
    if (l != strlen(b) || strcmp(a, b) != 0) {
        printf("  %.17g: got '%s', printf '%s'\n", v, a, b);
        return 1;
    }
    return 0;
}

HZ_TEST(matches_printf_g15)
{
    static const double edge[] = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  0.5,
                                  1e-5,
                                  1e-4,
                                  9.9999999995e-5,
                                  0.00099999999995,
                                  123456789.5,
                                  1234567890.5,
                                  9999999999.5,
                                  9999999999.4,
                                  1e10,
                                  12345678901234.0,
                                  123456789.123,
                                  12345678901.23,
                                  999999999999999.0,
                                  999999999999999.5,
                                  1e15,
                                  99999999999999.95,
                                  0.30000000000000004,
                                  1e22,
                                  1e23,
                                  1e-300,
                                  5e-324,
                                  1.7976931348623157e308,
                                  0.1,
                                  0.2,
                                  0.3,
                                  2.5,
                                  1.25,
                                  6.249572271,
                                  15.44352096,
                                  -9582.429207,
                                  NAN,
                                  INFINITY,
                                  -INFINITY};
    int bad = 0;
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        bad += check(edge[i]);
    /* random magnitudes and decimal-looking values (money, rounded) */
    uint64_t s = 12345;
    for (int i = 0; i < 2000000 && bad < 10; i++) {
        double u = hz__rng_splitmix_uniform(&s),
               e = floor(hz__rng_splitmix_uniform(&s) * 40) - 20;
        double v = (u - 0.5) * pow(10.0, e);
        if (i % 3 == 1)
            v = round(v * 100) / 100;
        if (i % 3 == 2)
            v = round(v * 1e10) / 1e10;
        if (i % 5 == 4)
            v = round(v * 1e15) / 1e15;
        if (i % 7 == 3)
            v = round(v); /* integers, the common case */
        bad += check(v);
    }
    HZ_CHECK_MSG(bad == 0, "%d values differ from printf", bad);
}
