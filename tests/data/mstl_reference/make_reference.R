# Reference values for tests/mstl_reference.rs: stats::stl and forecast::mstl
# (R 4.2, forecast 8.20). Run from this folder:
#   Rscript make_reference.R
# Inputs: AirPassengers.csv, co2.csv, nottem.csv, taylor.csv (copies of
# /work/shared/datasets/classic/), and daily_synthetic.csv, written here.
suppressMessages(library(forecast))
f17 <- function(x) sprintf("%.17g", x)
load_series <- function(name) read.csv(paste0(name, ".csv"))$y

# --- stl: three monthly series, several settings --------------------------
variants <- list(
  periodic  = function(x) stl(x, s.window = "periodic"),
  s7        = function(x) stl(x, s.window = 7),
  s7_robust = function(x) stl(x, s.window = 7, robust = TRUE),
  # odd length: R's robustness scale is then the exact median (see stl.rs)
  s7_robust_odd = function(x) stl(ts(head(as.numeric(x), -1), frequency = 12),
                                  s.window = 7, robust = TRUE),
  s7_nojump = function(x) stl(x, s.window = 7, s.jump = 1, t.jump = 1, l.jump = 1),
  s13_deg1  = function(x) stl(x, s.window = 13, s.degree = 1, t.window = 23, t.degree = 0)
)
rows <- list()
for (name in c("AirPassengers", "co2", "nottem")) {
  x <- ts(load_series(name), frequency = 12)
  for (v in names(variants)) {
    fit <- variants[[v]](x)
    ts_ <- fit$time.series
    rows[[length(rows) + 1]] <- data.frame(
      series = name, variant = v, t = seq_len(nrow(ts_)),
      seasonal = f17(ts_[, "seasonal"]), trend = f17(ts_[, "trend"]),
      remainder = f17(ts_[, "remainder"]), weights = f17(fit$weights))
  }
}
write.csv(do.call(rbind, rows), "stl.csv", row.names = FALSE, quote = FALSE)

# --- a synthetic daily series with periods 7 and 365.25 --------------------
set.seed(20261126)
n <- 1100
tt <- seq_len(n)
daily <- 200 + 0.05 * tt + 15 * sin(2 * pi * tt / 7) + 5 * cos(4 * pi * tt / 7) +
  30 * sin(2 * pi * tt / 365.25) + rnorm(n, sd = 4)
write.csv(data.frame(unique_id = "daily", t = tt, y = f17(daily)),
          "daily_synthetic.csv", row.names = FALSE, quote = FALSE)

# --- mstl -----------------------------------------------------------------
cases <- list(
  taylor = msts(load_series("taylor"), seasonal.periods = c(48, 336)),
  daily = msts(daily, seasonal.periods = c(365.25, 7)),       # given unsorted
  AirPassengers = msts(load_series("AirPassengers"), seasonal.periods = 12),
  nottem_dropped = msts(load_series("nottem"), seasonal.periods = c(12, 120)),  # 120 >= n/2
  # fractional parts of .5 and above: R truncates the smoothing period
  daily_fractional = msts(daily, seasonal.periods = c(7.5, 30.6)),
  # robust STL inside; odd length, where R's robustness median is exact
  daily_robust_odd = msts(head(daily, -1), seasonal.periods = c(7, 365.25))
)
rows <- list()
frows <- list()
h <- c(taylor = 96, daily = 60, AirPassengers = 24, nottem_dropped = 24,
       daily_fractional = 40, daily_robust_odd = 30)
for (name in names(cases)) {
  robust <- name == "daily_robust_odd"
  fit <- suppressWarnings(mstl(cases[[name]], robust = robust))
  for (col in colnames(fit)[-1]) {
    rows[[length(rows) + 1]] <- data.frame(
      series = name, component = col, t = seq_len(nrow(fit)), value = f17(fit[, col]))
  }
  plain <- function(x) ts(as.numeric(x))
  methods <- list(
    drift = function() forecast(fit, h = h[[name]], method = "rwdrift"),
    naive = function() forecast(fit, h = h[[name]], method = "naive"),
    ets_ann = function() forecast(fit, h = h[[name]], method = "ets", etsmodel = "ANN"),
    ets_zzn = function() forecast(fit, h = h[[name]], method = "ets"),
    theta = function() {
      # forecast.mstl's own recipe, by hand: thetaf's output does not carry
      # the msts attributes forecast.mstl needs to add the fitted values
      hh <- h[[name]]
      lastseas <- as.numeric(forecast(fit, h = hh, method = "naive")$mean) -
        as.numeric(naive(seasadj(fit), h = hh)$mean)
      fc <- thetaf(plain(seasadj(fit)), h = hh, level = c(80, 95))
      list(mean = fc$mean + lastseas, lower = fc$lower + lastseas,
           upper = fc$upper + lastseas, method = "Theta")
    }
  )
  for (m in names(methods)) {
    fc <- methods[[m]]()
    frows[[length(frows) + 1]] <- data.frame(
      series = name, method = m, h = seq_len(h[[name]]), mean = f17(fc$mean),
      lo80 = f17(fc$lower[, 1]), hi80 = f17(fc$upper[, 1]),
      lo95 = f17(fc$lower[, 2]), hi95 = f17(fc$upper[, 2]),
      model = if (is.null(fc$method)) "" else gsub(",", "", fc$method))
  }
}
write.csv(do.call(rbind, rows), "mstl.csv", row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, frows), "forecasts.csv", row.names = FALSE, quote = FALSE)
