# Reference data for salesplan's ETS tests, produced with R's forecast package.
#
# Usage (from the repository root):
#   Rscript tests/data/ets_reference/make_reference.R ../shared/datasets/m3 tests/data/ets_reference
#
# Written for R 4.2.2 and forecast 8.20. Reads DATA_DIR/train.csv (unique_id,ds,y)
# and DATA_DIR/meta.csv (unique_id,frequency,season_length,horizon,...) and writes
#   series.csv     the training rows used (unique_id,ds,y,season_length,horizon)
#   fits.csv       every fixed ETS form fitted with restrict = FALSE (nm_fncount, nm_fail:
#                  Nelder-Mead function evaluations and fail code, 1 = stopped at maxit 2000)
#   forecasts.csv  forecast(fit, h = horizon, level = c(80, 95)) for each fit
#   fitted.csv     fitted values and residuals for a subset of forms
#   auto.csv       default ets(x) per series and its forecasts
#   failures.csv   forms that R could not fit or forecast, with the error message
# Numbers are printed with sprintf("%.17g") (exact round trip of doubles).

suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("usage: Rscript make_reference.R DATA_DIR OUT_DIR")
}
data_dir <- args[1]
out_dir <- args[2]
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

ids <- c("N0001", "N0003", "N0187",  # yearly, m = 1
         "N2882", "N2830",           # other, m = 1
         "N0657", "N0666",           # quarterly, m = 4
         "N1489", "N1698")           # monthly, m = 12
fitted_subset <- c("ANN", "AAdN", "AAdA", "MAM", "MNM", "MAdM", "MMN")

meta <- read.csv(file.path(data_dir, "meta.csv"), colClasses = c(unique_id = "character"))
train <- read.csv(file.path(data_dir, "train.csv"), colClasses = c(unique_id = "character"))

num <- function(x) {
  if (is.null(x) || length(x) == 0) return("")
  ifelse(is.na(x), "", sprintf("%.17g", as.numeric(x)))
}
csv_str <- function(x) {
  x <- gsub("\"", "\"\"", x, fixed = TRUE)
  ifelse(grepl("[,\"\n]", x), paste0("\"", x, "\""), x)
}
write_rows <- function(rows, header, file) {
  con <- file(file, "w")
  writeLines(paste(header, collapse = ","), con)
  if (length(rows) > 0) writeLines(unlist(rows), con)
  close(con)
}
code_of <- function(e, t, d, s) paste0(e, t, if (d) "d" else "", s)
# forecast.ets uses analytic variances for classes 1-3 and simulation otherwise
is_simulated <- function(e, t, s) {
  class1 <- e == "A" && t %in% c("N", "A") && s %in% c("N", "A")
  class2 <- e == "M" && t %in% c("N", "A") && s %in% c("N", "A")
  class3 <- e == "M" && s == "M" && t != "M"
  !(class1 || class2 || class3)
}

series_rows <- list(); fit_rows <- list(); fc_rows <- list()
fitted_rows <- list(); auto_rows <- list(); fail_rows <- list()
n_fit <- 0; n_fail <- 0

for (id in ids) {
  mt <- meta[meta$unique_id == id, ]
  if (nrow(mt) != 1) stop("series not in meta.csv: ", id)
  s <- train[train$unique_id == id, ]
  s <- s[order(as.numeric(s$ds)), ]
  m <- as.integer(mt$season_length)
  h <- as.integer(mt$horizon)
  x <- ts(s$y, frequency = m)
  n <- length(x)
  series_rows[[length(series_rows) + 1]] <-
    paste(id, s$ds, num(s$y), m, h, sep = ",")

  seasons <- if (m > 1) c("N", "A", "M") else "N"
  for (e in c("A", "M")) for (t in c("N", "A", "M")) for (d in c(FALSE, TRUE)) for (se in seasons) {
    if (t == "N" && d) next
    code <- code_of(e, t, d, se)
    model <- paste0(e, t, se)
    fit <- tryCatch(
      ets(x, model = model, damped = d, restrict = FALSE,
          allow.multiplicative.trend = TRUE),
      error = function(err) err)
    if (inherits(fit, "error")) {
      # ets() hides the reason behind "No model able to be fitted"; ask etsmodel()
      inner <- tryCatch({
        r <- forecast:::etsmodel(x, e, t, se, d, lower = c(rep(1e-04, 3), 0.8),
                                 upper = c(rep(0.9999, 3), 0.98), opt.crit = "lik",
                                 nmse = 3, bounds = "both")
        if (is.null(r$loglik)) "k >= n - 1 (too many parameters)"
        else if (is.na(r$loglik)) "likelihood NA at optimum (M trend with negative b)"
        else "etsmodel succeeded"
      }, error = function(err) conditionMessage(err))
      n_fail <- n_fail + 1
      fail_rows[[length(fail_rows) + 1]] <- paste(id, code, "fit",
        csv_str(paste0(conditionMessage(fit), " | etsmodel: ", inner)), sep = ",")
      next
    }
    if (!grepl("^ETS", fit$method) || fit$method != sprintf("ETS(%s,%s%s,%s)", e, t, if (d) "d" else "", se)) {
      n_fail <- n_fail + 1
      fail_rows[[length(fail_rows) + 1]] <- paste(id, code, "fit",
        csv_str(paste("unexpected method", fit$method)), sep = ",")
      next
    }
    n_fit <- n_fit + 1
    p <- fit$par
    par_str <- paste(paste0(names(p), "=", num(p)), collapse = ";")
    init_str <- paste(num(fit$initstate), collapse = ";")
    fit_rows[[length(fit_rows) + 1]] <- paste(
      id, m, code, n,
      num(p["alpha"]), num(p["beta"]), num(p["gamma"]), num(p["phi"]),
      num(fit$loglik), num(fit$aic), num(fit$aicc), num(fit$bic),
      num(fit$sigma2), num(fit$mse), num(fit$amse),
      init_str, par_str, fit$fit$fncount, fit$fit$fail, sep = ",")

    sim <- is_simulated(e, t, se)
    set.seed(1)
    fc <- tryCatch(forecast(fit, h = h, level = c(80, 95)), error = function(err) err)
    if (inherits(fc, "error")) {
      n_fail <- n_fail + 1
      fail_rows[[length(fail_rows) + 1]] <- paste(id, code, "forecast",
        csv_str(conditionMessage(fc)), sep = ",")
    } else {
      fc_rows[[length(fc_rows) + 1]] <- paste(
        id, code, seq_len(h), num(fc$mean),
        num(fc$lower[, 1]), num(fc$upper[, 1]), num(fc$lower[, 2]), num(fc$upper[, 2]),
        if (sim) "TRUE" else "FALSE", sep = ",")
    }

    if (code %in% fitted_subset) {
      fitted_rows[[length(fitted_rows) + 1]] <- paste(
        id, code, seq_len(n), num(fitted(fit)), num(residuals(fit)), sep = ",")
    }
  }

  # default automatic selection
  fit <- ets(x)
  comp <- fit$components
  code <- code_of(comp[1], comp[2], comp[4] == "TRUE", comp[3])
  set.seed(1)
  fc <- forecast(fit, h = h, level = c(80, 95))
  auto_rows[[length(auto_rows) + 1]] <- paste(
    id, code, num(fit$loglik), num(fit$aicc), seq_len(h), num(fc$mean),
    num(fc$lower[, 1]), num(fc$upper[, 1]), num(fc$lower[, 2]), num(fc$upper[, 2]),
    sep = ",")
  cat(sprintf("%s n=%d m=%d h=%d auto=%s\n", id, n, m, h, code))
}

write_rows(series_rows, c("unique_id", "ds", "y", "season_length", "horizon"),
           file.path(out_dir, "series.csv"))
write_rows(fit_rows, c("unique_id", "m", "model", "n", "alpha", "beta", "gamma", "phi",
                       "loglik", "aic", "aicc", "bic", "sigma2", "mse", "amse",
                       "initstate", "par", "nm_fncount", "nm_fail"),
           file.path(out_dir, "fits.csv"))
write_rows(fc_rows, c("unique_id", "model", "h", "mean", "lo80", "hi80", "lo95", "hi95",
                      "simulated"),
           file.path(out_dir, "forecasts.csv"))
write_rows(fitted_rows, c("unique_id", "model", "t", "fitted", "residual"),
           file.path(out_dir, "fitted.csv"))
write_rows(auto_rows, c("unique_id", "model", "loglik", "aicc", "h", "mean",
                        "lo80", "hi80", "lo95", "hi95"),
           file.path(out_dir, "auto.csv"))
write_rows(fail_rows, c("unique_id", "model", "stage", "error"),
           file.path(out_dir, "failures.csv"))
cat(sprintf("fits: %d, failures: %d\n", n_fit, n_fail))
cat(R.version.string, "; forecast", as.character(packageVersion("forecast")), "\n")
