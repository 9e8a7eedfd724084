// Package dataset reads the image datasets of the resx depth studies, fetches
// them, and turns them into the float32 batches the training loop consumes.
//
// # Datasets
//
// Names lists what Open knows:
//
//   - cifar10: the CIFAR-10 binary version (cifar-10-batches-bin/data_batch_1.bin
//     … data_batch_5.bin, test_batch.bin), 50,000 + 10,000 images of 3×32×32.
//   - cifar100: the CIFAR-100 binary version (cifar-100-binary/train.bin,
//     test.bin), with fine (100) or coarse (20) labels.
//   - mnist, fashion-mnist: the four IDX files of each, gzip-compressed or raw,
//     60,000 + 10,000 images of 1×28×28.
//   - fashion-mnist-mini: a class-balanced subset of Fashion-MNIST compiled into
//     the binary (the first 1,000 training and 200 test images of each class,
//     in file order), so that resx runs with nothing downloaded.
//   - synthetic: a small generated dataset with class-dependent patterns, for
//     the tests of other packages.
//
// # Where datasets are looked for
//
// SearchDirs gives the order: the explicit directory (--data-dir), then
// $RESX_DATA_DIR, then data.dir from the config, then os.UserCacheDir()/resx,
// then the read-only system locations <d>/datasets for each d in
// $XDG_DATA_DIRS (default /usr/local/share:/usr/share), where distributions
// install datasets (Debian's dataset-fashion-mnist package puts the IDX files
// in /usr/share/datasets/fashion-mnist). Inside each directory a dataset lives
// in its own folder: cifar-10-batches-bin, cifar-100-binary, mnist,
// fashion-mnist. FetchDir names where Fetch writes: the first directory of
// the order, never a system location.
//
// # Fetching
//
// Fetch downloads the official files (the URLs and published MD5 sums are in
// DefaultSources; tests replace them through FetchOptions.Sources), resumes
// partial downloads, checks the checksum before unpacking, and renames a
// complete folder into place. List reports what is where and whether it
// verifies.
//
// # Input pipeline
//
// ComputeStats computes the normalisation statistics on the training split;
// ValidationSplit and Split.Head cut splits without copying; a Loader turns a
// Split into batches: normalised, optionally augmented (pad 4, random crop,
// horizontal flip) and shuffled. Batch k of epoch e depends only on (seed,
// e, k), so a checkpoint that records (e, k) resumes the exact data stream.
//
// # Errors
//
// Every error caused by missing, truncated or corrupt files wraps
// ErrInvalidData and names the file and the problem; an unknown dataset name
// wraps ErrUnknownDataset. Nothing is returned half-loaded.
package dataset
