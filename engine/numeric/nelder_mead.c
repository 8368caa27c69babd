/* Nelder-Mead simplex minimiser: R's nmmin (src/appl/optim.c), the
 * optimiser forecast::ets calls, with bounded evaluations (see
 * numeric/nelder_mead.h). */
#include <math.h>
#include <string.h>

#include "numeric/nelder_mead.h"
#include "numeric/simd.h"

#define NM_BIG 1.0e35

/* The starting simplex around Bvec (R's nmmin): vertex 0 is Bvec, vertex
 * j moves coordinate j - 1 by a tenth of the largest |Bvec[i]| (0.1 when
 * all are 0), multiplied by 10 until the coordinate changes.  P holds
 * n + 2 vertices of n + 1 values each (the coordinates, then the
 * objective's value; vertex n + 1 is the centroid), vertex after vertex:
 * PP(i, j) is value i of vertex j.  Returns the simplex size. */
static double nm_simplex(double *P, int n, const double *Bvec)
{
#define PP(i, j) P[(j) * (n + 1) + (i)]
    double size = 0.0, step = 0.0;
    for (int i = 0; i < n; i++)
        PP(i, 0) = Bvec[i];
    for (int i = 0; i < n; i++)
        if (0.1 * fabs(Bvec[i]) > step)
            step = 0.1 * fabs(Bvec[i]);
    if (step == 0.0)
        step = 0.1;
    for (int j = 2; j <= n + 1; j++) {
        for (int i = 0; i < n; i++)
            PP(i, j - 1) = Bvec[i];
        double trystep = step;
        while (PP(j - 2, j - 1) == Bvec[j - 2]) {
            PP(j - 2, j - 1) = Bvec[j - 2] + trystep;
            trystep *= 10;
        }
        size += trystep;
    }
    return size;
#undef PP
}

/* Shrink every vertex halfway towards the best one (1-based L); returns
 * the new simplex size (the vertices' values must be recomputed). */
static double nm_shrink(double *P, int n, int L)
{
#define PP(i, j) P[(j) * (n + 1) + (i)]
    double size = 0.0;
    for (int j = 0; j < n + 1; j++) {
        if (j + 1 != L) {
            for (int i = 0; i < n; i++) {
                PP(i, j) = 0.5 * (PP(i, j) - PP(i, L - 1)) + PP(i, L - 1);
                size += fabs(PP(i, j) - PP(i, L - 1));
            }
        }
    }
    return size;
#undef PP
}

/* The centroid of all vertices but h (0-based) into column n + 1: each
 * coordinate summed in nmmin's order (-x_h, then every vertex in turn),
 * four coordinates side by side (the simplex is stored vertex by vertex,
 * n + 1 values each: the coordinates, then the objective's value). */
HZ_SIMD_INLINE void nm_centroid_body(double *P, int n, int h)
{
    const int n1 = n + 1;
    double *cen = P + (size_t)(n + 1) * n1;
    const hz_v4d dn = hz_v4_splat((double)n);
    int i = 0;
    for (; i + HZ_LANES <= n; i += HZ_LANES) {
        hz_v4d t = -hz_v4_load(P + (size_t)h * n1 + i);
        for (int j = 0; j < n1; j++)
            t += hz_v4_load(P + (size_t)j * n1 + i);
        t /= dn;
        hz_v4_store(cen + i, t);
    }
    for (; i < n; i++) {
        double temp = -P[(size_t)h * n1 + i];
        for (int j = 0; j < n1; j++)
            temp += P[(size_t)j * n1 + i];
        cen[i] = temp / n;
    }
}

static void nm_centroid_base(double *P, int n, int h)
{
    nm_centroid_body(P, n, h);
}

#if HZ_SIMD_HAVE_AVX2
HZ_SIMD_AVX2 static void nm_centroid_avx2(double *P, int n, int h)
{
    nm_centroid_body(P, n, h);
}
#endif

static void nm_centroid(double *P, int n, int h)
{
#if HZ_SIMD_HAVE_AVX2
    if (hz_simd_avx2()) {
        nm_centroid_avx2(P, n, h);
        return;
    }
#endif
    nm_centroid_base(P, n, h);
}

int hz__nm_start(hz__nm *s, int n, double *x, double abstol, double intol,
                 int maxit)
{
    if (n > HZ_NM_MAX_PAR || n < 0)
        return HZ_NM_FAIL;
    s->n = n;
    s->B = x;
    s->abstol = abstol;
    s->intol = intol;
    s->maxit = maxit;
    s->bound = INFINITY;
    s->state = 0;
    s->exhausted = 0;
    return HZ_NM_EVAL;
}

/* R's nmmin, resumed after each evaluation (the value f of s->B): the
 * states are the places where nmmin calls the objective. */
int hz__nm_feed(hz__nm *s, double f)
{
#define PP(i, j) s->P[(j) * (n + 1) + (i)]
    const int n = s->n, n1 = n + 1, C = n + 2;
    double *B = s->B;
    switch (s->state) {
    case 0: goto after_start;
    case 1: goto after_vertex;
    case 2: goto after_reflection;
    case 3: goto after_expansion;
    case 4: goto after_contraction;
    case 5: goto loop_top;
    default: return HZ_NM_FAIL;
    }
after_start:
    if (!isfinite(f)) {
        s->fmin = f;
        return HZ_NM_FAIL;
    }
    s->funcount = 1;
    s->convtol = s->intol * (fabs(f) + s->intol);
    PP(n1 - 1, 0) = f;
    s->L = 1;
    s->size = nm_simplex(s->P, n, B);
    s->oldsize = s->size;
    s->calcvert = 1;
loop_top:
    if (!s->calcvert)
        goto find_extremes;
    s->j = 0;
next_vertex:
    while (s->j < n1 && s->j + 1 == s->L)
        s->j++;
    if (s->j < n1) {
        for (int i = 0; i < n; i++)
            B[i] = PP(i, s->j);
        s->bound = INFINITY;
        s->state = 1;
        return HZ_NM_EVAL;
    }
    s->calcvert = 0;
    goto find_extremes;
after_vertex:
    if (!isfinite(f))
        f = NM_BIG;
    s->funcount++;
    PP(n1 - 1, s->j) = f;
    s->j++;
    goto next_vertex;
find_extremes : {
    /* nmmin's search for the lowest and highest vertex, in locals */
    int L = s->L, H = L;
    double VL = PP(n1 - 1, L - 1), VH = VL;
    for (int j = 1; j <= n1; j++) {
        if (j != L) {
            double v = PP(n1 - 1, j - 1);
            if (v < VL) {
                L = j;
                VL = v;
            }
            if (v > VH) {
                H = j;
                VH = v;
            }
        }
    }
    s->L = L;
    s->H = H;
    s->VL = VL;
    s->VH = VH;
    if (VH <= VL + s->convtol || VL <= s->abstol)
        goto done;
    nm_centroid(s->P, n, H - 1);
    for (int i = 0; i < n; i++)
        B[i] = 2.0 * PP(i, C - 1) - PP(i, H - 1);
}
    /* the reflected value is only stored when below VH */
    s->bound = s->VH;
    s->state = 2;
    return HZ_NM_EVAL;
after_reflection:
    if (!isfinite(f))
        f = NM_BIG;
    s->funcount++;
    s->VR = f;
    if (s->VR < s->VL) {
        PP(n1 - 1, C - 1) = f;
        for (int i = 0; i < n; i++) {
            double e = 2.0 * B[i] + (1 - 2.0) * PP(i, C - 1);
            PP(i, C - 1) = B[i];
            B[i] = e;
        }
        s->bound = s->VR; /* kept only when below VR */
        s->state = 3;
        return HZ_NM_EVAL;
    }
    if (s->VR < s->VH) {
        for (int i = 0; i < n; i++)
            PP(i, s->H - 1) = B[i];
        PP(n1 - 1, s->H - 1) = s->VR;
    }
    for (int i = 0; i < n; i++)
        B[i] = 0.5 * PP(i, s->H - 1) + 0.5 * PP(i, C - 1);
    s->bound = PP(n1 - 1, s->H - 1);
    s->state = 4;
    return HZ_NM_EVAL;
after_expansion:
    if (!isfinite(f))
        f = NM_BIG;
    s->funcount++;
    if (f < s->VR) {
        for (int i = 0; i < n; i++)
            PP(i, s->H - 1) = B[i];
        PP(n1 - 1, s->H - 1) = f;
    } else {
        for (int i = 0; i < n; i++)
            PP(i, s->H - 1) = PP(i, C - 1);
        PP(n1 - 1, s->H - 1) = s->VR;
    }
    goto loop_end;
after_contraction:
    if (!isfinite(f))
        f = NM_BIG;
    s->funcount++;
    if (f < PP(n1 - 1, s->H - 1)) {
        for (int i = 0; i < n; i++)
            PP(i, s->H - 1) = B[i];
        PP(n1 - 1, s->H - 1) = f;
    } else if (s->VR >= s->VH) {
        s->calcvert = 1;
        s->size = nm_shrink(s->P, n, s->L);
        if (s->size < s->oldsize)
            s->oldsize = s->size;
        else
            goto done;
    }
loop_end:
    if (s->funcount <= s->maxit)
        goto loop_top;
    s->exhausted = 1;
done:
    s->fmin = PP(n1 - 1, s->L - 1);
    for (int i = 0; i < n; i++)
        B[i] = PP(i, s->L - 1);
    s->state = -1;
    return HZ_NM_DONE;
#undef PP
}

int hz__nm_resume(hz__nm *s, int maxit)
{
    if (s->state != -1)
        return HZ_NM_FAIL;
    if (!s->exhausted || s->funcount > maxit)
        return HZ_NM_DONE; /* converged, or the new budget is spent too */
    s->maxit = maxit;
    s->exhausted = 0;
    s->state = 5;
    return hz__nm_feed(s, 0.0);
}

int hz__nelder_mead(int n, double *Bvec, double *Fmin, hz__nm_fn fn, void *ctx,
                    double abstol, double intol, int maxit)
{
    hz__nm s;
    int r = hz__nm_start(&s, n, Bvec, abstol, intol, maxit);
    while (r == HZ_NM_EVAL)
        r = hz__nm_feed(&s, fn(s.B, s.bound, ctx));
    if (r == HZ_NM_FAIL) {
        if (n <= HZ_NM_MAX_PAR && n >= 0)
            *Fmin = s.fmin;
        return -1;
    }
    *Fmin = s.fmin;
    return s.funcount;
}
