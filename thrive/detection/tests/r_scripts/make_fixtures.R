# Writes the committed R outputs that test_timeseries_r_outputs.py compares Thrive against.
#
#   cd thrive/detection/tests && Rscript r_scripts/make_fixtures.R
#
# Needs R surveillance 1.20.3 (Debian: apt-get install -y --no-install-recommends r-cran-surveillance).
# Writes r_outputs/counts_<dataset>.csv.gz (the series, in `thrive timeseries --counts` layout),
# r_outputs/result_<case>.csv.gz (series_id,week_index,upperbound,expected,alarm; NA left empty; numbers
# to 12 significant digits) and r_outputs/cases.csv (which method, range and options each case used).
# A result file that already exists is kept, so an interrupted run can be resumed; delete the files to
# start afresh. The whole run takes about 15 minutes on an idle core.

source("r_scripts/detect.R")
stopifnot(as.character(packageVersion("surveillance")) == "1.20.3")
out_dir <- "r_outputs"

# ---- data sets: the package's weekly examples (index-based) and generated series ----
package_series <- function(name, columns = NULL) {
  env <- new.env()
  data(list = name, package = "surveillance", envir = env)
  x <- get(name, envir = env)
  y <- if (inherits(x, "sts")) observed(x) else as.matrix(x$observed)
  if (!is.null(columns)) y <- y[, columns, drop = FALSE]
  ids <- if (is.null(colnames(y)) || any(colnames(y) == "")) paste0(name, "_", seq_len(ncol(y))) else colnames(y)
  colnames(y) <- make.names(ids, unique = TRUE)
  y
}

rki_names <- c("k1", "m1", "m2", "m3", "m4", "m5", "n1", "n2", "q1_nrwh", "q2", "s1", "s2", "s3", "h1_nrwrp")
rki <- do.call(cbind, lapply(rki_names, function(n) { y <- package_series(n); colnames(y) <- n; y }))

set.seed(20240601)
weeks <- 312
season <- function(amplitude, phase = 0) exp(amplitude * sin(2 * pi * (seq_len(weeks) + phase) / 52))
generate <- function(n, mean_fun, size = Inf) {
  y <- sapply(seq_len(n), function(i) {
    mu <- mean_fun(i)
    if (is.finite(size)) rnbinom(weeks, mu = mu, size = size) else rpois(weeks, mu)
  })
  colnames(y) <- paste0("s", seq_len(n))
  y
}
outbreaks <- function(y) {
  for (j in seq_len(ncol(y))) {
    for (start in sample(200:305, 3)) {
      len <- sample(1:4, 1)
      idx <- start:min(weeks, start + len - 1)
      y[idx, j] <- y[idx, j] + rpois(length(idx), sample(3:8, 1))
    }
  }
  y
}

datasets <- list(
  salmonella_agona = package_series("salmonella.agona"),
  ha_sts = package_series("ha.sts"),
  stsNewport = package_series("stsNewport"),
  salmNewport = package_series("salmNewport"),
  shadar = package_series("shadar"),
  hepatitisA = package_series("hepatitisA"),
  rki = rki,
  influMen = package_series("influMen"),
  abattoir = package_series("abattoir"),
  momo = package_series("momo"),
  fluBYBW = package_series("fluBYBW", 1:12),
  measlesDE = package_series("measlesDE"),
  measlesWeserEms = package_series("measlesWeserEms"),
  gen_low = generate(20, function(i) runif(1, 0.2, 2) * season(runif(1, 0, 0.6), sample(0:51, 1))),
  gen_zero = generate(10, function(i) runif(1, 0.03, 0.25) * season(0.5)),
  gen_trend = generate(10, function(i) {
    slope <- runif(1, -0.006, 0.008)
    runif(1, 2, 8) * exp(slope * (seq_len(weeks) - 150)) * season(0.3)
  }, size = 5),
  gen_season = generate(10, function(i) runif(1, 3, 15) * season(runif(1, 0.8, 1.5), sample(0:51, 1)), size = 3),
  gen_outbreak = outbreaks(generate(10, function(i) runif(1, 0.5, 4) * season(0.4))),
  # Long runs of zeros: with b = 5, R's glm does not converge on 237 zeros, so the week's result is NA.
  gen_sparse = cbind(
    late_start = c(rep(0, 240), rep_len(c(1, 0, 2, 3, 1, 0, 4, 2, 5, 1, 0, 3), weeks - 240)),
    single = replace(rep(0, weeks), c(150, 300:304), c(1, 2, 3, 4, 2, 5)),
    last_weeks = c(rep(0, weeks - 10), 1, 0, 2, 3, 1, 0, 4, 2, 5, 1),
    every_twenty = replace(rep(0, weeks), seq(7, weeks, by = 20), 1)
  )
)

to_long <- function(y) {
  data.frame(series_id = rep(colnames(y), each = nrow(y)), week_index = rep(seq_len(nrow(y)), ncol(y)),
             count = as.vector(y))
}
for (name in names(datasets)) {
  write.csv(to_long(datasets[[name]]), gzfile(file.path(out_dir, paste0("counts_", name, ".csv.gz"))),
            row.names = FALSE, quote = FALSE)
}

# ---- cases ----
last_weeks <- function(name, first_allowed, n = 104) {
  len <- nrow(datasets[[name]])
  c(max(first_allowed, len - n + 1), len)
}
cases <- list()
add_case <- function(case, dataset, method, evaluate, opts = list()) {
  cases[[length(cases) + 1]] <<- list(case = case, dataset = dataset, method = method, evaluate = evaluate,
                                      opts = opts)
}
ears_min <- c("ears-c1" = 8, "ears-c2" = 10, "ears-c3" = 12)
for (name in names(datasets)) {
  for (method in names(ears_min)) {
    short <- nrow(datasets[[name]]) <= 160 || startsWith(name, "gen_")
    evaluate <- if (short) c(ears_min[[method]], nrow(datasets[[name]])) else last_weeks(name, 12)
    add_case(paste(name, method, sep = "__"), name, method, evaluate)
  }
  if (nrow(datasets[[name]]) >= 160) {
    for (method in c("farrington", "noufaily")) {
      add_case(paste(name, method, sep = "__"), name, method, last_weeks(name, 160))
    }
  }
}
ears_variants <- list(
  list(tag = "baseline5_alpha05", opts = list(baseline = 5, alpha = 0.05)),
  list(tag = "baseline10_minsigma", opts = list(baseline = 10, minSigma = 0.5, alpha = 0.025)),
  list(tag = "baseline3_alpha2", opts = list(baseline = 3, alpha = 0.2))
)
for (name in c("ha_sts", "gen_low", "gen_zero", "gen_outbreak", "salmonella_agona")) {
  for (variant in ears_variants) {
    for (method in names(ears_min)) {
      first <- ears_min[[method]] - 7 + variant$opts$baseline
      add_case(paste(name, method, variant$tag, sep = "__"), name, method,
               c(first, nrow(datasets[[name]])), variant$opts)
    }
  }
}
flexible_variants <- list(
  list(tag = "alpha05_w2_pwni1", method = "farrington",
       opts = list(alpha = 0.05, w = 2, pastWeeksNotIncluded = 1)),
  list(tag = "periods4_thr258_pwni26", method = "farrington",
       opts = list(noPeriods = 4, weightsThreshold = 2.58, pastWeeksNotIncluded = 26)),
  list(tag = "noreweight", method = "farrington", opts = list(reweight = FALSE)),
  list(tag = "trend05_alpha05", method = "noufaily", opts = list(pThresholdTrend = 0.05, alpha = 0.05)),
  list(tag = "periods1_b2_w4", method = "noufaily", opts = list(noPeriods = 1, b = 2, w = 4)),
  list(tag = "periods7_w2_pwni10", method = "noufaily",
       opts = list(noPeriods = 7, w = 2, pastWeeksNotIncluded = 10)),
  list(tag = "notrend", method = "noufaily", opts = list(trend = FALSE)),
  list(tag = "noreweight_delta", method = "noufaily", opts = list(reweight = FALSE, thresholdMethod = "delta"))
)
for (name in c("salmonella_agona", "ha_sts", "gen_low", "gen_season", "gen_trend", "gen_outbreak", "gen_zero",
               "gen_sparse")) {
  for (variant in flexible_variants) {
    b <- if (is.null(variant$opts$b)) 3 else variant$opts$b
    w <- if (is.null(variant$opts$w)) 3 else variant$opts$w
    weeks_evaluated <- if (startsWith(name, "gen_")) 52 else 104
    add_case(paste(name, variant$method, variant$tag, sep = "__"), name, variant$method,
             last_weeks(name, 52 * b + w + 1, weeks_evaluated), variant$opts)
  }
}
r_defaults <- list(b = 5, w = 3, noPeriods = 1, weightsThreshold = 2.58, pastWeeksNotIncluded = 3,
                   pThresholdTrend = 0.05, thresholdMethod = "delta", alpha = 0.05)
for (name in c("salmonella_agona", "stsNewport", "salmNewport", "momo", "gen_trend", "gen_sparse")) {
  add_case(paste(name, "farrington", "r_defaults_b5", sep = "__"), name, "farrington",
           last_weeks(name, 52 * 5 + 3 + 1), r_defaults)
  add_case(paste(name, "noufaily", "b5", sep = "__"), name, "noufaily", last_weeks(name, 52 * 5 + 3 + 1),
           list(b = 5))
}

# ---- run ----
option_names <- c(alpha = "alpha", baseline = "baseline", minSigma = "min-sigma", b = "b", w = "w",
                  pastWeeksNotIncluded = "past-weeks-not-included", noPeriods = "no-periods",
                  weightsThreshold = "weights-threshold", pThresholdTrend = "p-threshold-trend",
                  thresholdMethod = "threshold-method", reweight = "reweight", trend = "trend")
manifest <- data.frame()
for (cs in cases) {
  started <- Sys.time()
  result_file <- file.path(out_dir, paste0("result_", cs$case, ".csv.gz"))
  if (!file.exists(result_file)) {
    results <- run_detector(to_long(datasets[[cs$dataset]]), cs$method, cs$evaluate, cs$opts)
    results$observed <- NULL
    for (col in c("upperbound", "expected")) results[[col]] <- signif(results[[col]], 12)
    write.csv(results, gzfile(result_file), row.names = FALSE, na = "", quote = FALSE)
  }
  opts <- paste(vapply(names(cs$opts), function(n) paste0(option_names[[n]], "=", cs$opts[[n]]), ""),
                collapse = ";")
  manifest <- rbind(manifest, data.frame(case = cs$case, dataset = cs$dataset, method = cs$method,
                                         evaluate_from = cs$evaluate[1], evaluate_to = cs$evaluate[2],
                                         options = opts))
  cat(sprintf("%-60s %6.1f s\n", cs$case, as.numeric(difftime(Sys.time(), started, units = "secs"))))
}
write.csv(manifest, file.path(out_dir, "cases.csv"), row.names = FALSE, quote = FALSE)
