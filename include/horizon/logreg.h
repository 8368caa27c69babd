/* L2-regularised logistic regression (binary), fitted by Newton's method
 * (IRLS) with the Hessian X'SX built by OpenBLAS ssyrk (single precision;
 * gradient, objective and solve in double, so the optimum is exact) and
 * solved by a Cholesky factorisation, plus the evaluation tools around it: stratified
 * k-fold cross-validation, ROC AUC, log-loss, and a design-matrix builder
 * (numeric columns + one-hot encoded text columns, standardised).
 *
 * Objective (scikit-learn's LogisticRegression, penalty='l2', C):
 *   0.5 * ||w||^2 / C + sum_i logloss(y_i, b + x_i'w)
 * with the intercept b not penalised and the log-loss summed, not
 * averaged. */
#ifndef HORIZON_LOGREG_H
#define HORIZON_LOGREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_logreg_options {
    double C;            /* inverse regularisation strength (1.0) */
    int max_iter;        /* Newton iterations (50) */
    double tol;          /* stop when the Newton decrement / n < tol
                              (1e-10) */
    const double *start; /* p coefficients then the intercept to start
                            from (NULL: the intercept-only optimum);
                            cross-validation starts each fold from the
                            previous fold's optimum */
} hz_logreg_options;

typedef struct hz_logreg_model {
    size_t p; /* features */
    double intercept;
    double *coef; /* p */
    int iterations;
    double objective; /* penalised negative log-likelihood */
} hz_logreg_model;

HZ_API void hz_logreg_options_init(hz_logreg_options *o);

/* Fit on n rows of the row-major n x p matrix X with labels y in {0, 1}.
 * Errors: HZ_EINVAL (labels not 0/1, non-finite X, C <= 0), HZ_ETOOSHORT
 * (n < 2 or one class only), HZ_ENOCONV (no convergence). */
HZ_API hz_status hz_logreg_fit(const double *X, const double *y, size_t n,
                               size_t p, const hz_logreg_options *opt,
                               hz_logreg_model *out, hz_error *err);

/* P(y = 1 | x) for n rows. */
HZ_API void hz_logreg_predict(const hz_logreg_model *m, const double *X,
                              size_t n, double *prob);

HZ_API void hz_logreg_model_free(hz_logreg_model *m); /* frees members */

/* Standard errors of the p coefficients and the intercept (se[p]) of a
 * fitted model: square roots of the diagonal of the inverse Hessian of
 * the penalised objective at the optimum (the Laplace approximation of
 * the coefficients' posterior under the L2 penalty's Gaussian prior);
 * NaN when it is not positive definite. */
HZ_API hz_status hz_logreg_std_errors(const hz_logreg_model *m,
                                      const double *X, size_t n, double C,
                                      double *se, hz_error *err);

/* ROC AUC (Mann-Whitney, ties count one half); NaN with one class. */
HZ_API double hz_roc_auc(const double *score, const double *y, size_t n);

/* Mean log-loss, probabilities clipped to [1e-15, 1 - 1e-15]. */
HZ_API double hz_log_loss(const double *prob, const double *y, size_t n);

/* Stratified fold ids 0..k-1: each class is shuffled with seed and dealt
 * round-robin.  HZ_EINVAL when a class has fewer than k rows. */
HZ_API hz_status hz_stratified_folds(const double *y, size_t n, int k,
                                     uint64_t seed, int *fold, hz_error *err);

typedef struct hz_logreg_cv {
    int k;
    double auc_mean, auc_sd; /* over folds (sd with n - 1) */
    double logloss_mean, logloss_sd;
    double auc[32], logloss[32]; /* per fold (k <= 32) */
    double fit_seconds;          /* total of the k fits */
} hz_logreg_cv;

/* k-fold cross-validation with the given fold ids; out-of-fold
 * probabilities go to oof (may be NULL). */
HZ_API hz_status hz_logreg_cross_validate(const double *X, const double *y,
                                          size_t n, size_t p, const int *fold,
                                          int k, const hz_logreg_options *opt,
                                          hz_logreg_cv *out, double *oof,
                                          hz_error *err);

/* A design matrix built from a dataset. */
typedef struct hz_design {
    size_t n, p;
    double *X;         /* n x p, row-major, standardised */
    double *y;         /* n labels (0/1) or NULL */
    size_t *row;       /* dataset row of each design row */
    char **names;      /* p feature names: "col" or "col=level" */
    char **column;     /* p source column names */
    char **level;      /* p levels of one-hot features (NULL: numbers) */
    double *mean, *sd; /* standardisation (sd 1 for constant columns) */
    size_t dropped;    /* rows dropped for null values */
    char dropped_first[HZ_ERROR_MAX]; /* the first of them: its place and
                                         the empty column (text) */
    char skipped[HZ_ERROR_MAX]; /* columns left out and why (text) */
} hz_design;

/* Build a design from every column except the label, the id column (may
 * be NULL) and dates: numeric and boolean columns as they are, text
 * columns one-hot (one column per level, levels in dictionary order),
 * text columns with more than max_levels levels are skipped and named in
 * `skipped`; rows with a null feature or an empty label are dropped and
 * counted (the first named in dropped_first).  A text column that looks
 * numeric ("29.85", " ") is read as numbers with the blanks treated as
 * nulls.  The label may be bool, 0/1 numbers or text Yes/No, True/False,
 * Y/N, T/F, 1/0 (case-insensitive); any other value is an error naming
 * its place (FILE:LINE:FIELD), never a dropped row.  label_col NULL = no
 * labels. */
HZ_API hz_status hz_design_from_dataset(const hz_dataset *ds,
                                        const char *label_col,
                                        const char *id_col, size_t max_levels,
                                        hz_design *out, hz_error *err);

/* Both leave out, besides, the columns of numbers that identify rather
 * than measure (named in `skipped` with the reason): those named like an identifier (last word id, key, code,
 * number, no, phone, zip, ...: "customerID", "account_no", "zip_code")
 * with more than two values, and those holding a different whole number
 * on every one of at least ten rows numbered as a run (a range less
 * than twice the rows; a wider one is a measurement in whole units,
 * such as an income in dollars) (until 2026-12-07 an account number
 * or a customer number in signup order ranked as a churn driver).  The
 * columns of keep (comma-separated names, may be NULL) are used as
 * numbers all the same; a name that is not a
 * column, or is the label or the id column, is an error. */
HZ_API hz_status hz_design_from_dataset_keep(
    const hz_dataset *ds, const char *label_col, const char *id_col,
    size_t max_levels, const char *keep, hz_design *out, hz_error *err);

/* The design of a saved model on new data: feature j is column[j]
 * (numbers, or text that reads as numbers) or, when level[j] is not
 * NULL, 1 where column[j] equals level[j] (0 everywhere when the level
 * does not occur); standardised with the saved mean and sd.  Rows with
 * an empty feature (or label) are dropped and counted.  label_col NULL =
 * no labels.  Errors: HZ_ENOTFOUND naming a missing column, HZ_ETYPE
 * when a column no longer holds what the model reads. */
HZ_API hz_status hz_design_apply(const hz_dataset *ds, const char *label_col,
                                 size_t p, const char *const *column,
                                 const char *const *level, const double *mean,
                                 const double *sd, hz_design *out,
                                 hz_error *err);

HZ_API void hz_design_free(hz_design *d); /* frees members */

#ifdef __cplusplus
}
#endif
#endif
