# Reference figures of CooRTweet's detect_groups and generate_coordinated_network
# on its own Russian retweet data, for crates/python/tests/test_coortweet.py.
#
#   Rscript scripts/coortweet_reference.R COORTWEET_R_DIR DATA.csv.gz OUT_DIR
#
# COORTWEET_R_DIR holds R/detect_groups.R, R/calc_group_combinations.R and
# R/generate_coordinated_network.R of CooRTweet (checked with d31a008); needs
# R with data.table and igraph (Debian: r-base-core r-cran-data.table
# r-cran-igraph). Writes, per parameter set, the rows of detect_groups sorted
# and the aggregated network's edges, as CSV.
suppressMessages({library(data.table); library(igraph)})
args <- commandArgs(trailingOnly = TRUE)
for (f in c("detect_groups", "calc_group_combinations", "generate_coordinated_network")) {
  source(file.path(args[1], paste0(f, ".R")))
}
x0 <- fread(cmd = paste("gzip -dc", shQuote(args[2])), colClasses = c(object_id = "character", account_id = "character",
                                     content_id = "character", timestamp_share = "integer"))
for (p in list(c(10, 5, TRUE), c(10, 5, FALSE), c(60, 2, TRUE))) {
  x <- copy(x0)
  r <- detect_groups(x, time_window = p[1], min_participation = p[2], remove_loops = as.logical(p[3]))
  setcolorder(r, c("object_id", "account_id", "account_id_y", "content_id", "content_id_y", "time_delta"))
  setorder(r, object_id, content_id, content_id_y)
  tag <- sprintf("w%d_m%d_%s", p[1], p[2], if (p[3]) "noloops" else "loops")
  fwrite(r, file.path(args[3], paste0("groups_", tag, ".csv")))
  g <- generate_coordinated_network(r, edge_weight = 0.5)
  e <- as.data.table(igraph::as_data_frame(g, what = "edges"))
  e[, `:=`(a = pmin(from, to), b = pmax(from, to))]
  e <- e[, .(a, b, weight, avg_time_delta, n_content_id, n_content_id_y, edge_symmetry_score, weight_threshold)]
  setorder(e, a, b)
  fwrite(e, file.path(args[3], paste0("network_", tag, ".csv")))
  cat(tag, nrow(r), "rows,", nrow(e), "edges\n")
}
