# R forecast-package peer for bench_m3: fits ets() and thetaf() to the
# series in a long CSV (series_id,value in order) and writes forecasts.
# usage: Rscript m3_r.R train.csv h freq out.csv
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
h <- as.integer(args[2]); fq <- as.integer(args[3]); out <- args[4]
ids <- unique(d$series_id)
rows <- list(); times <- c(ets = 0, theta = 0)
for (id in ids) {
  y <- ts(d$value[d$series_id == id], frequency = fq)
  t0 <- proc.time()[["elapsed"]]
  f <- forecast(ets(y), h = h, level = c(80, 95))
  t1 <- proc.time()[["elapsed"]]
  g <- thetaf(y, h = h, level = c(80, 95))
  t2 <- proc.time()[["elapsed"]]
  times["ets"] <- times["ets"] + (t1 - t0)
  times["theta"] <- times["theta"] + (t2 - t1)
  for (p in list(list("ets", f), list("theta", g))) {
    fc <- p[[2]]
    rows[[length(rows) + 1]] <- data.frame(series_id = id, method = p[[1]],
      step = 1:h, mean = as.numeric(fc$mean),
      lo80 = as.numeric(fc$lower[, 1]), hi80 = as.numeric(fc$upper[, 1]),
      lo95 = as.numeric(fc$lower[, 2]), hi95 = as.numeric(fc$upper[, 2]),
      model = if (p[[1]] == "ets") fc$method else "Theta")
  }
}
write.csv(do.call(rbind, rows), out, row.names = FALSE)
cat(sprintf("TIME ets %.3f\nTIME theta %.3f\n", times["ets"], times["theta"]))
