# R forecast 8.20 peer of bench_intermittent: Croston on every cell, by
# forecast:::croston2(nofits = TRUE), the part of croston() that makes the
# forecasts (croston() also refits every prefix of the series for its
# fitted values, which costs O(n^2) and is left out of the timing).
# Croston has no intervals in R: its bounds are written equal to the point
# forecast (the benchmark says so).
# Input lines: index heavy h nperiods periods... ntr values...
#   Rscript bench/croston_r.R CELLS.txt OUT.txt
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
con <- file(args[2], "w")
for (line in readLines(args[1])) {
  v <- as.numeric(strsplit(line, " ", fixed = TRUE)[[1]])
  idx <- v[1]; h <- v[3]; np <- v[4]; ntr <- v[5 + np]
  x <- v[(6 + np):(5 + np + ntr)]
  t0 <- proc.time()[["elapsed"]]
  f <- tryCatch(forecast:::croston2(x, h = h, alpha = 0.1, nofits = TRUE),
                error = function(e) NULL)
  secs <- proc.time()[["elapsed"]] - t0
  if (is.null(f) || anyNA(f)) next
  m <- as.numeric(f)
  writeLines(paste(idx, "croston", sprintf("%.4f", secs),
                   paste(sprintf("%.10g", rep(m, 5)), collapse = " ")), con)
}
close(con)
