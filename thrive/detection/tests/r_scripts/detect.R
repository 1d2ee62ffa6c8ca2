# Runs R surveillance 1.20.3 the way `thrive timeseries` runs Thrive's detectors, so the two can be compared.
#
# As a script:
#   Rscript detect.R --counts FILE.csv --method ears-c1|ears-c2|ears-c3|farrington|noufaily \
#     --evaluate FROM:TO [--alpha A] [--baseline N] [--min-sigma X] [--b N] [--w N] \
#     [--past-weeks-not-included N] [--no-periods N] [--weights-threshold X] [--p-threshold-trend X] \
#     [--threshold-method delta|nbPlugin] [--reweight TRUE|FALSE] [--trend TRUE|FALSE] --out OUT.csv
# FILE.csv has series_id,week_index,count (1-based consecutive weeks); OUT.csv has
# series_id,week_index,observed,upperbound,expected,alarm with NA left empty.
# Series are index-based sts objects (epochAsDate = FALSE), as the package's example data sets are.

suppressPackageStartupMessages(library(surveillance))

FARRINGTON_PRESETS <- list(
  farrington = list(b = 3, w = 3, noPeriods = 1, weightsThreshold = 1, pastWeeksNotIncluded = 3,
                    pThresholdTrend = 0.05, thresholdMethod = "delta", alpha = 0.01),
  noufaily = list(b = 3, w = 3, noPeriods = 10, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                  pThresholdTrend = 1, thresholdMethod = "nbPlugin", alpha = 0.01)
)

# Runs one method on one series (a numeric vector); returns a data.frame for weeks evaluate[1]..evaluate[2].
run_one_series <- function(y, method, evaluate, opts) {
  x <- sts(observed = matrix(y, ncol = 1), start = c(2000, 1), frequency = 52)
  range <- evaluate[1]:evaluate[2]
  if (startsWith(method, "ears-")) {
    control <- list(range = range, method = toupper(sub("ears-", "", method)),
                    baseline = if (is.null(opts$baseline)) 7 else opts$baseline,
                    alpha = if (is.null(opts$alpha)) 0.001 else opts$alpha,
                    minSigma = if (is.null(opts$minSigma)) 0 else opts$minSigma)
    res <- earsC(x, control = control)
    expected <- rep(NA_real_, length(range))
  } else {
    control <- modifyList(FARRINGTON_PRESETS[[method]], opts)
    control$range <- range
    control$reweight <- if (is.null(opts$reweight)) TRUE else opts$reweight
    control$trend <- if (is.null(opts$trend)) TRUE else opts$trend
    control$glmWarnings <- FALSE
    res <- farringtonFlexible(x, control = control)
    expected <- as.vector(res@control$expected)
  }
  data.frame(week_index = range, observed = as.vector(observed(res)),
             upperbound = as.vector(upperbound(res)), expected = expected,
             alarm = as.vector(alarms(res)))
}

# Runs a method on every series of a long data.frame (series_id, week_index, count).
run_detector <- function(counts, method, evaluate, opts = list()) {
  out <- list()
  for (sid in unique(counts$series_id)) {
    rows <- counts[counts$series_id == sid, ]
    rows <- rows[order(rows$week_index), ]
    one <- run_one_series(as.numeric(rows$count), method, evaluate, opts)
    out[[length(out) + 1]] <- cbind(data.frame(series_id = sid), one)
  }
  do.call(rbind, out)
}

write_results <- function(results, path) {
  write.csv(results, path, row.names = FALSE, na = "", quote = FALSE)
}

parse_cli <- function(args) {
  names_map <- c("--alpha" = "alpha", "--baseline" = "baseline", "--min-sigma" = "minSigma", "--b" = "b",
                 "--w" = "w", "--past-weeks-not-included" = "pastWeeksNotIncluded",
                 "--no-periods" = "noPeriods", "--weights-threshold" = "weightsThreshold",
                 "--p-threshold-trend" = "pThresholdTrend", "--threshold-method" = "thresholdMethod",
                 "--reweight" = "reweight", "--trend" = "trend")
  parsed <- list(opts = list())
  i <- 1
  while (i <= length(args)) {
    key <- args[i]
    value <- args[i + 1]
    if (key == "--counts") parsed$counts <- value
    else if (key == "--method") parsed$method <- value
    else if (key == "--evaluate") parsed$evaluate <- as.integer(strsplit(value, ":")[[1]])
    else if (key == "--out") parsed$out <- value
    else if (key %in% names(names_map)) {
      name <- names_map[[key]]
      parsed$opts[[name]] <- if (name == "thresholdMethod") value
                             else if (name %in% c("reweight", "trend")) as.logical(value)
                             else as.numeric(value)
    } else stop("unknown option ", key)
    i <- i + 2
  }
  parsed
}

if (sys.nframe() == 0L) {
  cli <- parse_cli(commandArgs(trailingOnly = TRUE))
  counts <- read.csv(cli$counts, colClasses = c("character", "integer", "numeric"))
  write_results(run_detector(counts, cli$method, cli$evaluate, cli$opts), cli$out)
}
