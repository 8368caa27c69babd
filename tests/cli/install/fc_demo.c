/* A program that uses only the installed libhorizon (tests/cli/install.sh):
 * reads one value per line from stdin, forecasts the series with the
 * given model and seasonal period, and prints "step,point,lo95,hi95"
 * with the CLI's number format, then the method on the last line. */
#include <horizon/horizon.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fc_demo MODEL PERIOD H < values\n");
        return 2;
    }
    if (strcmp(hz_version(), HZ_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s, headers %s\n", hz_version(),
                HZ_VERSION_STRING);
        return 1;
    }
    int model;
    if (!hz_fc_model_parse(argv[1], &model)) {
        fprintf(stderr, "unknown model %s\n", argv[1]);
        return 2;
    }
    int period = atoi(argv[2]);
    size_t h = (size_t)atoi(argv[3]);
    double y[1000];
    size_t n = 0;
    while (n < 1000 && scanf("%lf", &y[n]) == 1)
        n++;
    const double levels[1] = {95};
    hz_forecast *f = hz_forecast_alloc(h, 1, levels);
    hz_error err;
    if (f == NULL ||
        hz_forecast_series(y, n, period, model, 42, NULL, f, &err) != HZ_OK) {
        fprintf(stderr, "forecast failed: %s\n", f ? err.msg : "no memory");
        hz_forecast_free(f);
        return 1;
    }
    for (size_t i = 0; i < h; i++)
        printf("%zu,%.15g,%.15g,%.15g\n", i + 1, f->mean[i], f->lower[0][i],
               f->upper[0][i]);
    printf("%s\n", f->method);
    hz_forecast_free(f);
    return 0;
}
