# auto.arima() reference for salesplan's AutoARIMA tests (R's defaults: stepwise, AICc,
# KPSS for d, seasonal strength for D). Reads tests/data/arima_reference/series.csv (written
# by make_reference.R) and writes auto.csv: unique_id,m,n,p,d,q,P,D,Q,constant,aicc,
# mean_h1,mean_hH (the forecast at step 1 and at the last step of h = 2m, or 8 for m = 1),
# and the stationarity and seasonality tests' choices alone (ndiffs, nsdiffs).
#
# Usage (from the repository root):
#   Rscript tests/data/arima_reference/make_auto_reference.R tests/data/arima_reference
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", as.numeric(x)))
s <- read.csv(file.path(dir, "series.csv"), colClasses = c(unique_id = "character"))
rows <- c()
for (id in unique(s$unique_id)) {
  d <- s[s$unique_id == id, ]
  d <- d[order(d$t), ]
  m <- d$season_length[1]
  y <- ts(d$y, frequency = m)
  fit <- auto.arima(y)
  a <- fit$arma  # p, q, P, Q, m, d, D
  h <- if (m > 1) 2 * m else 8
  fc <- forecast(fit, h = h)
  constant <- any(names(coef(fit)) %in% c("intercept", "drift"))
  nsd <- if (m > 1) nsdiffs(y) else 0
  nd <- ndiffs(if (nsd > 0) diff(y, lag = m) else y)
  rows <- c(rows, paste(id, m, length(y), a[1], a[6], a[2], a[3], a[7], a[4], constant,
                        num(fit$aicc), num(fc$mean[1]), num(fc$mean[h]), nd, nsd, sep = ","))
}
writeLines(c("unique_id,m,n,p,d,q,P,D,Q,constant,aicc,mean_h1,mean_hH,ndiffs,nsdiffs", rows),
           file.path(dir, "auto.csv"))
cat(sprintf("%d series; %s; forecast %s\n", length(rows), R.version.string, packageVersion("forecast")))
