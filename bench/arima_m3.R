# R reference for bench/arima_m3: forecast::auto.arima on every K-th M3
# monthly series (default K = 10), h = 18.  Prints one line per series:
# series_id, model, sMAPE, MASE, 80/95% coverage, seconds.
# usage: Rscript bench/arima_m3.R SHARED_DATA_DIR [K] > r_m3.tsv
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "../shared/data"
K <- if (length(args) >= 2) as.integer(args[2]) else 10L
tr <- read.csv(file.path(dir, "m3/m3_monthly_train.csv"))
te <- read.csv(file.path(dir, "m3/m3_monthly_test.csv"))
ids <- unique(tr$series_id)
cat("series\tmodel\tsmape\tmase\tcov80\tcov95\tseconds\n")
for (i in seq(1, length(ids), by = K)) {
  id <- ids[i]
  y <- tr$value[tr$series_id == id]
  yt <- te$value[te$series_id == id]
  h <- length(yt)
  x <- ts(y, frequency = 12)
  t0 <- proc.time()[["elapsed"]]
  fc <- forecast(auto.arima(x), h = h, level = c(80, 95))
  t1 <- proc.time()[["elapsed"]]
  f <- as.numeric(fc$mean)
  smape <- mean(200 * abs(yt - f) / (abs(yt) + abs(f)))
  scale <- mean(abs(diff(y, lag = 12)))
  mase <- mean(abs(yt - f)) / scale
  c80 <- mean(yt >= fc$lower[, 1] & yt <= fc$upper[, 1])
  c95 <- mean(yt >= fc$lower[, 2] & yt <= fc$upper[, 2])
  cat(sprintf("%s\t%s\t%.6f\t%.6f\t%.4f\t%.4f\t%.3f\n", id,
              forecast:::arima.string(fc$model), smape, mase, c80, c95,
              t1 - t0))
}
