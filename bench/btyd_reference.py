#!/usr/bin/python3
"""Independent reference optima for the CDNOW customer models (scipy).

usage: btyd_reference.py SHARED_DATA_DIR

Builds the Fader-Hardie summary from cdnow/cdnowElog.csv (same-day
purchases merged, 39-week calibration to 1997-09-30, times in weeks =
days / 7), then maximises each log-likelihood with scipy (BFGS on the
log-parameters) followed by Newton steps on a finite-difference Hessian
until the Newton decrement is below 1e-16:
  Gamma-Gamma  closed-form likelihood (Fader & Hardie 2013)
  BG/NBD       closed-form likelihood (Fader, Hardie & Lee 2005)
  Pareto/NBD   likelihood written as P(alive at T) + the integral over the
               death time (scipy.integrate.quad), independent of the
               hypergeometric series Horizon uses
Prints "model param value" lines used to pin Horizon's tests."""
import sys

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp


def summary(path):
    d = pd.read_csv(path)
    d["date"] = pd.to_datetime(d["date"].astype(str), format="%Y%m%d")
    d = d.groupby(["sampleid", "date"], as_index=False)["sales"].sum()
    cal_end = pd.Timestamp("1997-09-30")
    cal = d[d.date <= cal_end].sort_values(["sampleid", "date"])
    g = cal.groupby("sampleid")
    first, last = g.date.min(), g.date.max()
    x = (g.size() - 1).astype(float)
    tx = (last - first).dt.days / 7.0
    T = (cal_end - first).dt.days / 7.0
    rep = cal[cal.date > cal.groupby("sampleid").date.transform("min")]
    m = rep.groupby("sampleid").sales.mean().reindex(x.index).fillna(0)
    return x.values, tx.values, T.values, m.values


def num_grad(f, th, h=1e-6):
    g = np.zeros_like(th)
    for j in range(len(th)):
        e = np.zeros_like(th)
        e[j] = h
        g[j] = (f(th + e) - f(th - e)) / (2 * h)
    return g


def polish(f, th):
    """Newton on a finite-difference Hessian of a finite-difference
    gradient, until the decrement is negligible."""
    for _ in range(20):
        g = num_grad(f, th)
        H = np.zeros((len(th), len(th)))
        for j in range(len(th)):
            e = np.zeros_like(th)
            e[j] = 1e-4
            H[:, j] = (num_grad(f, th + e) - num_grad(f, th - e)) / 2e-4
        H = 0.5 * (H + H.T)
        s = np.linalg.solve(H, g)
        th = th - s
        if g @ s < 1e-16:
            break
    return th


def fit(nll, th0):
    r = minimize(nll, th0, method="BFGS", options={"gtol": 1e-9})
    th = polish(nll, r.x)
    return np.exp(th), -nll(th)


def gg_nll(th, x, m):
    p, q, v = np.exp(th)
    px = p * x
    return -np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
                   + (px - 1) * np.log(m) + px * np.log(x)
                   - (px + q) * np.log(v + m * x))


def bg_nll(th, x, tx, T):
    r, al, a, b = np.exp(th)
    A = (gammaln(r + x) - gammaln(r) + r * np.log(al) + gammaln(a + b)
         + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))
    l1 = -(r + x) * np.log(al + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        l2 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(al + tx), -np.inf)
    return -np.sum(A + np.logaddexp(l1, l2))


def pnbd_nll_factory(x, tx, T):
    # distinct triples with weights: quad is slow
    keys, w = np.unique(np.stack([x, tx, T], 1), axis=0, return_counts=True)

    def nll(th):
        r, al, s, be = np.exp(th)
        tot = 0.0
        for (xi, ti, Ti), wi in zip(keys, w):
            l1 = -(r + xi) * np.log(al + Ti) - s * np.log(be + Ti)
            if Ti > ti:
                # integrand scaled by its value at tx for accuracy
                c = (r + xi) * np.log(al + ti) + (s + 1) * np.log(be + ti)
                f = lambda u: np.exp(c - (r + xi) * np.log(al + u)
                                     - (s + 1) * np.log(be + u))
                I, _ = quad(f, ti, Ti, epsabs=0, epsrel=1e-13, limit=200)
                l2 = np.log(s) + np.log(I) - c
                ll = logsumexp([l1, l2])
            else:
                ll = l1
            tot += wi * (gammaln(r + xi) - gammaln(r) + r * np.log(al)
                         + s * np.log(be) + ll)
        return -tot
    return nll


def main():
    x, tx, T, m = summary(sys.argv[1] + "/cdnow/cdnowElog.csv")
    rb = (x > 0) & (m > 0)
    p, ll = fit(lambda th: gg_nll(th, x[rb], m[rb]),
                np.log([1, 2, m[rb].mean()]))
    print("gammagamma p %.10g\ngammagamma q %.10g\ngammagamma gamma %.10g"
          % tuple(p))
    print("gammagamma loglik %.10g" % ll)
    p, ll = fit(lambda th: bg_nll(th, x, tx, T), np.log([1, T.mean(), 1, 1]))
    print("bgnbd r %.10g\nbgnbd alpha %.10g\nbgnbd a %.10g\nbgnbd b %.10g"
          % tuple(p))
    print("bgnbd loglik %.10g" % ll)
    p, ll = fit(pnbd_nll_factory(x, tx, T), np.log([0.5, 10, 0.5, 10]))
    print("pnbd r %.10g\npnbd alpha %.10g\npnbd s %.10g\npnbd beta %.10g"
          % tuple(p))
    print("pnbd loglik %.10g" % ll)


if __name__ == "__main__":
    main()
