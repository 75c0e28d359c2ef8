# Checks, on N1698 (monthly, m = 12), how forecast 8.20 computes fit$mse, fit$amse,
# sigma2 and loglik, and how forecast.ets's class-3 point forecast (M error, M season,
# N/A/Ad trend) differs from the plain recursion. Findings are in README.md.
#
# Usage (from the repository root):
#   Rscript tests/data/ets_reference/check_mse_class3.R tests/data/ets_reference

suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
ref_dir <- if (length(args) >= 1) args[1] else "tests/data/ets_reference"
ser <- read.csv(file.path(ref_dir, "series.csv"), colClasses = c(unique_id = "character"))
s <- ser[ser$unique_id == "N1698", ]
s <- s[order(s$ds), ]
m <- s$season_length[1]
x <- ts(s$y, frequency = m)

# Plain re-implementation of the etscalc.c filter (state order l, b, s[1..m], s[1] newest)
# phistar(i): the damping sum used for the i-step forecast. Textbook: phi + ... + phi^i.
# etscalc.c's forecast() starts at phi and then adds pow(phi, i) for i = 1, 2, ...,
# i.e. phi + phi + phi^2 + ... + phi^(i-1) (R_style = TRUE).
phistar <- function(phi, i, R_style) {
  if (phi == 1) return(i)
  if (R_style) phi + if (i > 1) sum(phi^(1:(i - 1))) else 0 else sum(phi^(1:i))
}
filter_ets <- function(y, m, init, e_t, t_t, s_t, alpha, beta, gamma, phi, nmse = 3, R_style = FALSE) {
  n <- length(y)
  l <- init[1]; b <- if (t_t != "N") init[2] else 0
  s <- if (s_t != "N") init[(2 + (t_t != "N")):length(init)] else numeric(0)
  fc <- function(l, b, s, h) {
    sapply(1:h, function(i) {
      ph <- phistar(phi, i, R_style)
      f <- switch(t_t, N = l, A = l + ph * b, M = l * b^ph)
      if (s_t != "N") {
        j <- ((m - i) %% m) + 1
        f <- if (s_t == "A") f + s[j] else f * s[j]
      }
      f
    })
  }
  e <- numeric(n); sq <- vector("list", nmse); lik2 <- 0
  for (k in 1:nmse) sq[[k]] <- numeric(0)
  for (i in 1:n) {
    f <- fc(l, b, s, nmse)
    e[i] <- if (e_t == "A") y[i] - f[1] else (y[i] - f[1]) / f[1]
    lik2 <- lik2 + log(abs(f[1]))
    for (k in 1:nmse) if (i + k - 1 <= n) sq[[k]] <- c(sq[[k]], (y[i + k - 1] - f[k])^2)
    q <- switch(t_t, N = l, A = l + phi * b, M = l * b^phi)
    tau <- switch(t_t, N = 0, A = phi * b, M = b^phi)
    p <- switch(s_t, N = y[i], A = y[i] - s[m], M = y[i] / s[m])
    ln <- q + alpha * (p - q)
    if (t_t != "N") {
      r <- if (t_t == "A") ln - l else ln / l
      b <- tau + (beta / alpha) * (r - tau)
    }
    if (s_t != "N") {
      u <- if (s_t == "A") y[i] - q else y[i] / q
      s <- c(s[m] + gamma * (u - s[m]), s[1:(m - 1)])
    }
    l <- ln
  }
  lstar <- n * log(sum(e^2)) + if (e_t == "M") 2 * lik2 else 0
  list(e = e, mse_k = sapply(sq, mean), n_k = sapply(sq, length), lstar = lstar)
}

# Plain-recursion h-step means from the last state (textbook / statsforecast)
plain_mean <- function(fit, h) {
  last <- fit$states[length(fit$x) + 1, ]
  t_t <- fit$components[2]; s_t <- fit$components[3]; m <- fit$m
  phi <- if (fit$components[4] == "TRUE") unname(fit$par["phi"]) else 1
  l <- last[1]; b <- if (t_t != "N") last[2] else 0
  s <- if (s_t != "N") last[(2 + (t_t != "N")):length(last)] else numeric(0)
  sapply(1:h, function(i) {
    ph <- phistar(phi, i, FALSE)
    f <- switch(t_t, N = l, A = l + ph * b, M = l * b^ph)
    if (s_t != "N") {
      j <- ((m - i) %% m) + 1
      f <- if (s_t == "A") f + s[j] else f * s[j]
    }
    unname(f)
  })
}
# What R's C routine etsforecast returns (used by forecast.ets for simulated classes)
c_mean <- function(fit, h) {
  last <- fit$states[length(fit$x) + 1, ]
  .C("etsforecast", as.double(last), as.integer(fit$m),
     as.integer(switch(fit$components[2], N = 0, A = 1, M = 2)),
     as.integer(switch(fit$components[3], N = 0, A = 1, M = 2)),
     as.double(ifelse(fit$components[4] == "FALSE", 1, fit$par["phi"])),
     as.integer(h), as.double(numeric(h)), PACKAGE = "forecast")[[7]]
}

for (spec in list(c("M", "A", "M", TRUE), c("M", "A", "M", FALSE), c("M", "N", "M", FALSE),
                  c("A", "A", "A", TRUE), c("M", "A", "N", FALSE), c("M", "M", "N", TRUE),
                  c("A", "M", "N", FALSE))) {
  d <- as.logical(spec[4])
  fit <- ets(x, model = paste0(spec[1:3], collapse = ""), damped = d, restrict = FALSE)
  p <- fit$par
  g <- function(nm, dflt) if (is.na(p[nm])) dflt else unname(p[nm])
  r <- filter_ets(as.numeric(x), m, fit$initstate, spec[1], spec[2], spec[3],
                  g("alpha", 0), g("beta", 0), g("gamma", 0), if (d) g("phi", 1) else 1)
  r2 <- filter_ets(as.numeric(x), m, fit$initstate, spec[1], spec[2], spec[3],
                  g("alpha", 0), g("beta", 0), g("gamma", 0), if (d) g("phi", 1) else 1,
                  R_style = TRUE)
  k <- length(p)
  cat(sprintf("\n== %s (n=%d, k=%d)\n", fit$method, length(x), k))
  cat(sprintf("mse  R %.12g  mine mean((y-yhat)^2) %.12g\n", fit$mse, r$mse_k[1]))
  cat(sprintf("amse R %.12g  mine mean of 1..3-step MSEs %.12g (counts %s); with R's phistar %.12g\n",
              fit$amse, mean(r$mse_k), paste(r$n_k, collapse = "/"), mean(r2$mse_k)))
  cat(sprintf("sigma2 R %.12g  sum(e^2)/(n-k) %.12g\n", fit$sigma2, sum(r$e^2) / (length(x) - k)))
  cat(sprintf("loglik R %.12g  -L*/2 %.12g\n", fit$loglik, -r$lstar / 2))
  h <- 18
  fc <- forecast(fit, h = h, level = 95)
  pm <- plain_mean(fit, h)
  cm <- c_mean(fit, h)
  cat("h, R forecast mean, plain recursion, R - plain, C etsforecast - plain:\n")
  for (i in c(1, 2, 3, 12, 13, 18)) cat(sprintf("  %2d %.10f %.10f %10.3e %10.3e\n", i, fc$mean[i], pm[i],
                                                fc$mean[i] - pm[i], cm[i] - pm[i]))
  if (spec[1] == "M" && spec[3] == "M" && d) {
    # class3 with H1 = (1,1), F1 = [[1,1],[0,phi]]: mean = (l + b*(1+phi+...+phi^(h-1))) * s, h <= m
    last <- fit$states[length(fit$x) + 1, ]
    phi <- p["phi"]
    alt <- sapply(1:m, function(i) (last[1] + last[2] * sum(phi^(0:(i - 1)))) * last[2 + ((m - i) %% m) + 1])
    cat(sprintf("  class-3 check, h<=m: max |R mean - (l + b*sum_{j=0}^{h-1} phi^j)*s| = %.3e\n",
                max(abs(fc$mean[1:m] - alt))))
  }
}
