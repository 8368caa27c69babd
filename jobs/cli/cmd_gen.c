/* horizon gen: deterministic sample data. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "horizon/outfile.h"
#include "horizon/gen.h"

const char hz__cmd_gen_summary[] =
    "generate realistic retail sample data (sales, customers or products CSV)";

static void help(FILE *f)
{
    fprintf(
        f,
        "usage: horizon gen [OPTIONS]\n\n"
        "Writes deterministic, realistic retail data as CSV: customers\n"
        "who sign up, buy at their own rate and churn; orders with trend,\n"
        "yearly seasonality, promotions and noise.\n\n"
        "options:\n"
        "  --kind sales|customers|products\n"
        "                          what to write (default sales); products:\n"
        "                          daily demand by SKU, region, category\n"
        "                          (intermittent for most SKUs)\n"
        "  --products N            SKUs of --kind products (default 200)\n"
        "  --rows N                sales rows (default 20000; customers are\n"
        "                          simulated from them)\n"
        "  --customers N           customers (default 2000)\n"
        "An option the kind does not use is refused (--products without\n"
        "--kind products; --rows, --customers with it).\n"
        "  --months N              months of history (default 36)\n"
        "  --start YYYY-MM         first month (default 2022-01)\n"
        "  --seed N                random seed (default 42)\n"
        "  -o, --output FILE       output file (default stdout)\n"
        "  -h, --help              show this help\n");
}

int hz__cmd_gen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kind", required_argument, 0, 'k'},
        {"rows", required_argument, 0, 'r'},
        {"customers", required_argument, 0, 'c'},
        {"products", required_argument, 0, 'p'},
        {"months", required_argument, 0, 'm'},
        {"start", required_argument, 0, 's'},
        {"seed", required_argument, 0, 'S'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    hz_gen_options o;
    const char *out = NULL;
    bool given_rows = false, given_customers = false, given_products = false;
    long v;
    int c;
    hz_gen_options_init(&o);
    optind = 1;
    opterr = 0; /* our messages, as the other commands' */
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case ':':
            hz_cli_error("gen", "%s needs a value", argv[optind - 1]);
            return HZ_EXIT_USAGE;
        case '?':
            hz_cli_error("gen",
                         "unknown option '%s' (see 'horizon gen --help')",
                         argv[optind - 1]);
            return HZ_EXIT_USAGE;
        case 'k':
            if (strcmp(optarg, "sales") == 0)
                o.kind = HZ_GEN_SALES;
            else if (strcmp(optarg, "customers") == 0)
                o.kind = HZ_GEN_CUSTOMERS;
            else if (strcmp(optarg, "products") == 0)
                o.kind = HZ_GEN_PRODUCTS;
            else {
                hz_cli_error("gen",
                             "--kind: expected 'sales', 'customers' or "
                             "'products', got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            break;
        case 'r':
            if (!hz_cli_parse_long("gen", "rows", optarg, 0, 2000000000L, &v))
                return HZ_EXIT_USAGE;
            o.rows = (uint64_t)v;
            given_rows = true;
            break;
        case 'c':
            if (!hz_cli_parse_long("gen", "customers", optarg, 1, 100000000L,
                                   &v))
                return HZ_EXIT_USAGE;
            o.customers = (uint64_t)v;
            given_customers = true;
            break;
        case 'p':
            if (!hz_cli_parse_long("gen", "products", optarg, 1, 1000000L, &v))
                return HZ_EXIT_USAGE;
            o.products = (uint64_t)v;
            given_products = true;
            break;
        case 'm':
            if (!hz_cli_parse_long("gen", "months", optarg, 1, 1200, &v))
                return HZ_EXIT_USAGE;
            o.months = (unsigned)v;
            break;
        case 's': {
            /* exactly YYYY-MM */
            const char *a = optarg;
            bool ok = strlen(a) == 7 && a[4] == '-';
            int y = 0;
            unsigned mo = 0;
            for (int i = 0; ok && i < 7; i++) {
                if (i == 4)
                    continue;
                ok = a[i] >= '0' && a[i] <= '9';
                if (i < 4)
                    y = y * 10 + (a[i] - '0');
                else
                    mo = mo * 10 + (unsigned)(a[i] - '0');
            }
            if (!ok || mo < 1 || mo > 12 || y < 1900 || y > 2200) {
                hz_cli_error("gen", "--start: expected YYYY-MM, got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            o.start_year = y;
            o.start_month = mo;
            break;
        }
        case 'S':
            if (!hz_cli_parse_long("gen", "seed", optarg, 0, 0x7fffffffL, &v))
                return HZ_EXIT_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'o': out = optarg; break;
        case 'h': help(stdout); return HZ_EXIT_OK;
        default: help(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        hz_cli_error("gen", "unexpected argument '%s'", argv[optind]);
        return HZ_EXIT_USAGE;
    }
    /* an option the kind does not use is refused, not ignored */
    const char *unused = o.kind != HZ_GEN_PRODUCTS && given_products
                             ? "--products (it sizes --kind products)"
                         : o.kind == HZ_GEN_PRODUCTS && given_rows
                             ? "--rows (--kind products writes a row per day, "
                               "product and region with demand)"
                         : o.kind == HZ_GEN_PRODUCTS && given_customers
                             ? "--customers (--kind products has none)"
                             : NULL;
    if (unused != NULL) {
        hz_cli_error("gen", "--kind %s does not use %s",
                     o.kind == HZ_GEN_PRODUCTS    ? "products"
                     : o.kind == HZ_GEN_CUSTOMERS ? "customers"
                                                  : "sales",
                     unused);
        return HZ_EXIT_USAGE;
    }
    hz_outfile *of = hz_cli_out_open("gen", out);
    if (of == NULL)
        return HZ_EXIT_FAIL;
    hz_error err;
    hz_status st = hz_gen_write(&o, hz_outfile_stream(of), &err);
    if (st != HZ_OK)
        return hz_cli_out_fail("gen", of, err.msg);
    return hz_cli_out_commit("gen", of);
}
