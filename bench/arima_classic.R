# R reference for bench/arima_classic: forecast::auto.arima on the classic
# series (skips series with missing values and m > 52).
# usage: Rscript bench/arima_classic.R SHARED_DATA_DIR > out.tsv
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args)) args[1] else "../shared/data"
s <- read.csv(file.path(dir, "classic/classic_series.csv"))
meta <- read.csv(file.path(dir, "classic/classic_meta.csv"))
cat("series\tn\tm\tmodel\taicc\tseconds\n")
for (i in seq_len(nrow(meta))) {
  id <- meta$series_id[i]
  f <- meta$frequency[i]
  y <- s$value[s$series_id == id]
  if (anyNA(y) || f > 52 || f < 1) next
  x <- ts(y, frequency = f)
  t0 <- proc.time()[["elapsed"]]
  fit <- auto.arima(x)
  t1 <- proc.time()[["elapsed"]]
  cat(sprintf("%s\t%d\t%d\t%s\t%.4f\t%.3f\n", id, length(y), f,
              forecast:::arima.string(fit), fit$aicc, t1 - t0))
}
