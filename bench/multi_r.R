# R forecast 8.20 peer of the rolling-origin benchmarks (bench_multi):
# stlf (= forecast(mstl(y)), ETS on the adjusted series), stlf with
# auto.arima, and tbats on the cells marked heavy (tbats is slow).
# Input lines: index heavy h nperiods periods... ntr values...
# Output lines: index method seconds mean[h] lo80[h] hi80[h] lo95[h] hi95[h]
#   Rscript bench/multi_r.R CELLS.txt OUT.txt [tbats]
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
with_tbats <- length(args) >= 3 && args[3] == "tbats"
con <- file(args[2], "w")
emit <- function(idx, name, secs, f) {
  v <- c(f$mean, f$lower[, 1], f$upper[, 1], f$lower[, 2], f$upper[, 2])
  writeLines(paste(idx, name, sprintf("%.4f", secs),
                   paste(sprintf("%.10g", v), collapse = " ")), con)
}
timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  f <- tryCatch(expr, error = function(e) NULL)
  list(f = f, secs = proc.time()[["elapsed"]] - t0)
}
for (line in readLines(args[1])) {
  v <- as.numeric(strsplit(line, " ", fixed = TRUE)[[1]])
  idx <- v[1]; heavy <- v[2]; h <- v[3]; np <- v[4]
  per <- v[5:(4 + np)]; ntr <- v[5 + np]
  x <- v[(6 + np):(5 + np + ntr)]
  y <- if (np == 1) ts(x, frequency = per) else msts(x, seasonal.periods = per)
  r <- timed(stlf(y, h = h, level = c(80, 95)))
  if (!is.null(r$f)) emit(idx, "mstl=stlf", r$secs, r$f)
  r <- timed(stlf(y, h = h, level = c(80, 95), method = "arima"))
  if (!is.null(r$f)) emit(idx, "stlf-arima", r$secs, r$f)
  if (with_tbats && heavy == 1) {
    r <- timed(forecast(tbats(y, use.parallel = FALSE), h = h, level = c(80, 95)))
    if (!is.null(r$f)) emit(idx, "tbats", r$secs, r$f)
  }
}
close(con)
