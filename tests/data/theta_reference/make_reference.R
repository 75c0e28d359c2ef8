# Reference forecasts of R's thetaf() (forecast 8.20) on named M3 series.
# Run from this folder: Rscript make_reference.R
# Writes series.csv (unique_id,season_length,t,y) and forecasts.csv
# (unique_id,h,mean,lo95,hi95), read by tests/theta_reference.rs.
suppressMessages(library(forecast))
train <- read.csv("../../../datasets/m3/train.csv")
meta <- read.csv("../../../datasets/m3/meta.csv")
ids <- c("N0001", "N0650", "N0700", "N1402", "N1500", "N2000", "N2800", "N3000")
s_rows <- list(); f_rows <- list()
for (id in ids) {
  y <- train$y[train$unique_id == id]
  m <- meta$season_length[meta$unique_id == id]
  h <- meta$horizon[meta$unique_id == id]
  fc <- thetaf(ts(y, frequency = m), h = h, level = 95)
  s_rows[[id]] <- data.frame(unique_id = id, season_length = m, t = seq_along(y), y = y)
  f_rows[[id]] <- data.frame(unique_id = id, h = 1:h, mean = as.numeric(fc$mean),
                             lo95 = as.numeric(fc$lower), hi95 = as.numeric(fc$upper))
}
write.csv(do.call(rbind, s_rows), "series.csv", row.names = FALSE)
options(digits = 15)
write.csv(format(do.call(rbind, f_rows), digits = 15), "forecasts.csv", row.names = FALSE, quote = FALSE)
