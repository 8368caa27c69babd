#!/usr/bin/python3
"""scikit-learn peer for bench_analytics: the same logistic regression
(C = 1, same standardised design, same folds; best of 5 runs, as
Horizon's) and the same KMeans (same features, k, n_init) as Horizon,
timed in the same run.

usage: analytics_sklearn.py logreg X.bin y.bin folds.bin n p
       analytics_sklearn.py kmeans X.bin n d k n_init
Prints "key value" lines."""
import sys
import time

import numpy as np


def logreg(xf, yf, ff, n, p):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    X = np.fromfile(xf, dtype=np.float64).reshape(n, p)
    y = np.fromfile(yf, dtype=np.float64)
    folds = np.fromfile(ff, dtype=np.int32)
    best = float("inf")
    for rep in range(5):  # best of 5, as Horizon is timed
        aucs, fit = [], 0.0
        for f in range(folds.max() + 1):
            tr, te = folds != f, folds == f
            m = LogisticRegression(C=1.0, max_iter=1000)
            t0 = time.perf_counter()
            m.fit(X[tr], y[tr])
            fit += time.perf_counter() - t0
            aucs.append(roc_auc_score(y[te], m.predict_proba(X[te])[:, 1]))
        best = min(best, fit)
    fit = best
    print("auc_mean %.6f" % np.mean(aucs))
    print("auc_sd %.6f" % np.std(aucs, ddof=1))
    print("fit_seconds %.6f" % fit)


def kmeans(xf, n, d, k, n_init):
    from sklearn.cluster import KMeans
    X = np.fromfile(xf, dtype=np.float64).reshape(n, d)
    t0 = time.perf_counter()
    m = KMeans(n_clusters=k, n_init=n_init, random_state=0,
               algorithm="lloyd").fit(X)
    print("fit_seconds %.6f" % (time.perf_counter() - t0))
    print("inertia %.6f" % m.inertia_)


if __name__ == "__main__":
    if sys.argv[1] == "logreg":
        logreg(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
               int(sys.argv[6]))
    else:
        kmeans(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
               int(sys.argv[5]), int(sys.argv[6]))
