// Package report turns run folders into the files a reader looks at: a
// merged long-format CSV, a summary table (markdown and JSON) and a figure
// in the style of He et al. 2016, Figure 6.
//
// It reads run folders only through their files (metrics.csv by column
// name, summary.json by field name, config.yaml as a fallback), never the
// training code, so that a report can be rebuilt without training and
// without the training code's types.
package report
