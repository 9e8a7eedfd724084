package experiment

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Summary statuses.
const (
	StatusFinished    = "finished"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

const summaryName = "summary.json"

func writeSummary(dir string, s *Summary, hook writeHook) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(dir, summaryName, append(b, '\n'), hook); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	return nil
}

// ReadSummary reads a run folder's summary.json. The error wraps
// fs.ErrNotExist when the run has none yet.
func ReadSummary(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, summaryName))
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, invalidf("%s: %v", filepath.Join(dir, summaryName), err)
	}
	return &s, nil
}

// summarise fills the measured fields of s from the metrics rows: the final
// errors are the last evaluated row's, the best the lowest test error seen.
func summarise(s *Summary, rows []Row) {
	first := true
	for _, r := range rows {
		if !r.Evaluated() {
			continue
		}
		s.FinalTrainError, s.FinalTestError = r.TrainError, r.TestError
		if first || r.TestError < s.BestTestError {
			s.BestTestError = r.TestError
		}
		first = false
	}
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "" where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if ok && strings.TrimSpace(string(k)) == "model name" {
			return strings.TrimSpace(string(v))
		}
	}
	return ""
}
