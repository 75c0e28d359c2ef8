# Reference data for salesplan's ARIMA tests, produced with R's forecast package.
#
# Usage (from the repository root):
#   Rscript tests/data/arima_reference/make_reference.R ../shared/datasets tests/data/arima_reference
#
# Reads DATA_DIR/m3/{train,meta}.csv and DATA_DIR/classic/{USAccDeaths,AirPassengers}.csv and
# fits forecast::Arima(y, order, seasonal, include.drift, include.mean, xreg, method = "CSS-ML")
# for each case below, writing
#   series.csv     the series used (unique_id,t,y,season_length)
#   fits.csv       case,unique_id,spec,n,coef (name=value;...),sigma2,loglik,aic,aicc,bic,
#                  loglik_differenced: the log-likelihood at the same coefficients of the
#                  differenced series (arima on diff(y) with the differenced regressors and
#                  fixed = coef), which differs from loglik by R's diffuse prior (kappa = 1e6)
#                  on the differencing states
#   forecasts.csv  case,h,mean,lo80,hi80,lo95,hi95 (forecast(fit, h, level = c(80, 95)))
#   failures.csv   cases R could not fit, with its message
# Numbers are printed with sprintf("%.17g").
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript make_reference.R DATA_DIR OUT_DIR")
data_dir <- args[1]; out_dir <- args[2]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", as.numeric(x)))

meta <- read.csv(file.path(data_dir, "m3", "meta.csv"), colClasses = c(unique_id = "character"))
train <- read.csv(file.path(data_dir, "m3", "train.csv"), colClasses = c(unique_id = "character"))
series <- list()
for (id in c("N0001", "N0003", "N0106", "N0187", "N0657", "N0666", "N1489", "N1698", "N2882")) {
  rows <- train[train$unique_id == id, ]
  rows <- rows[order(rows$ds), ]
  m <- meta$season_length[meta$unique_id == id]
  series[[id]] <- ts(rows$y, frequency = m)
}
for (id in c("USAccDeaths", "AirPassengers", "nottem", "wineind", "co2")) {
  rows <- read.csv(file.path(data_dir, "classic", paste0(id, ".csv")))
  rows <- rows[order(rows$ds), ]
  series[[id]] <- ts(rows$y, frequency = 12)
}

# case, id, p d q, P D Q, drift, mean, xreg (none | step48 | cos12), h
cases <- list(
  list("rw_drift", "N0001", c(0, 1, 0), c(0, 0, 0), TRUE, TRUE, "none", 6),
  list("ar1_drift", "N0001", c(1, 1, 0), c(0, 0, 0), TRUE, TRUE, "none", 6),
  list("ima", "N0187", c(0, 1, 1), c(0, 0, 0), FALSE, TRUE, "none", 6),
  list("q_airline", "N0657", c(0, 1, 1), c(0, 1, 1), FALSE, TRUE, "none", 8),
  list("q_ar_sma", "N0657", c(1, 1, 0), c(0, 1, 1), FALSE, TRUE, "none", 8),
  list("q_sar_mean", "N0666", c(1, 0, 0), c(1, 0, 0), FALSE, TRUE, "none", 8),
  list("m_airline", "N1489", c(0, 1, 1), c(0, 1, 1), FALSE, TRUE, "none", 18),
  list("m_ar2_sar", "N1489", c(2, 1, 0), c(1, 0, 0), FALSE, TRUE, "none", 18),
  list("m_arma_sma", "N1698", c(1, 0, 1), c(0, 1, 1), FALSE, TRUE, "none", 18),
  list("other_drift", "N2882", c(1, 1, 1), c(0, 0, 0), TRUE, TRUE, "none", 8),
  list("usacc_airline", "USAccDeaths", c(0, 1, 1), c(0, 1, 1), FALSE, TRUE, "none", 12),
  list("air_211_010", "AirPassengers", c(2, 1, 1), c(0, 1, 0), FALSE, TRUE, "none", 12),
  list("usacc_step", "USAccDeaths", c(1, 0, 0), c(0, 1, 1), FALSE, TRUE, "step48", 12),
  list("m_cos_mean", "N1489", c(1, 0, 1), c(0, 0, 0), FALSE, TRUE, "cos12", 18)
)
xreg_of <- function(kind, n, h) {
  t <- seq_len(n + h)
  v <- switch(kind, step48 = as.numeric(t > 48), cos12 = cos(2 * pi * t / 12), NULL)
  if (is.null(v)) return(list(NULL, NULL))
  list(matrix(v[1:n], ncol = 1, dimnames = list(NULL, "x1")),
       matrix(v[(n + 1):(n + h)], ncol = 1, dimnames = list(NULL, "x1")))
}

fits <- c(); fcs <- c(); fails <- c()
for (cs in cases) {
  name <- cs[[1]]; id <- cs[[2]]; y <- series[[id]]; h <- cs[[8]]
  xr <- xreg_of(cs[[7]], length(y), h)
  spec <- sprintf("%s(%s)%s%s", paste(cs[[3]], collapse = ","), paste(cs[[4]], collapse = ","),
                  if (cs[[5]]) "+drift" else "", if (cs[[7]] != "none") paste0(" xreg=", cs[[7]]) else "")
  res <- tryCatch({
    fit <- Arima(y, order = cs[[3]], seasonal = cs[[4]], include.drift = cs[[5]],
                 include.mean = cs[[6]], xreg = xr[[1]], method = "CSS-ML")
    fc <- forecast(fit, h = h, level = c(80, 95), xreg = xr[[2]])
    list(fit, fc)
  }, error = function(e) conditionMessage(e))
  if (is.character(res)) { fails <- c(fails, sprintf("%s,%s,\"%s\"", name, id, gsub("\"", "'", res))); next }
  fit <- res[[1]]; fc <- res[[2]]
  # the same coefficients on the differenced series
  dd <- function(v) {
    for (k in seq_len(cs[[3]][2])) v <- diff(v)
    for (k in seq_len(cs[[4]][2])) v <- diff(v, lag = frequency(y))
    v
  }
  nd <- cs[[3]][2] + cs[[4]][2]
  cols <- list()
  if (cs[[6]] && nd == 0) cols[["intercept"]] <- rep(1, length(y))
  if (cs[[5]]) cols[["drift"]] <- seq_along(y)
  if (!is.null(xr[[1]])) cols[["x1"]] <- as.numeric(xr[[1]][, 1])
  w <- dd(ts(as.numeric(y), frequency = frequency(y)))
  dx <- if (length(cols)) sapply(cols, function(v) dd(ts(v, frequency = frequency(y)))) else NULL
  if (!is.null(dx)) dx <- matrix(dx, ncol = length(cols))
  fd <- arima(w, order = c(cs[[3]][1], 0, cs[[3]][3]),
              seasonal = list(order = c(cs[[4]][1], 0, cs[[4]][3]), period = frequency(y)),
              include.mean = FALSE, xreg = dx, fixed = as.numeric(fit$coef), transform.pars = FALSE)
  coefs <- paste(sprintf("%s=%s", names(fit$coef), num(fit$coef)), collapse = ";")
  fits <- c(fits, paste(name, id, paste0("\"", spec, "\""), length(y), coefs, num(fit$sigma2), num(fit$loglik),
                        num(fit$aic), num(fit$aicc), num(fit$bic), num(fd$loglik), sep = ","))
  for (k in seq_len(h)) {
    fcs <- c(fcs, paste(name, k, num(fc$mean[k]), num(fc$lower[k, 1]), num(fc$upper[k, 1]),
                        num(fc$lower[k, 2]), num(fc$upper[k, 2]), sep = ","))
  }
}
ser <- c()
for (id in names(series)) {
  y <- series[[id]]
  ser <- c(ser, sprintf("%s,%d,%s,%d", id, seq_along(y), num(y), frequency(y)))
}
writeLines(c("unique_id,t,y,season_length", ser), file.path(out_dir, "series.csv"))
writeLines(c("case,unique_id,spec,n,coef,sigma2,loglik,aic,aicc,bic,loglik_differenced", fits), file.path(out_dir, "fits.csv"))
writeLines(c("case,h,mean,lo80,hi80,lo95,hi95", fcs), file.path(out_dir, "forecasts.csv"))
writeLines(c("case,unique_id,message", fails), file.path(out_dir, "failures.csv"))
cat(sprintf("%d fits, %d failures; %s\n", length(fits), length(fails), R.version.string))
cat(sprintf("forecast %s\n", as.character(packageVersion("forecast"))))
