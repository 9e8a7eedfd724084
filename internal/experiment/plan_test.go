package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resx-dev/resx/internal/config"
)

func TestPlanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b := config.Default(), config.Default()
	b.Model.Arch, b.Model.Depth, b.Train.LRSteps = "plain", 56, []int{3, 4}
	runs := []RunSpec{
		{Name: "residual-20", Dir: filepath.Join(dir, "residual-20"), Config: a},
		{Name: "plain-56", Dir: filepath.Join(dir, "plain-56"), Config: b},
	}
	if err := WritePlan(dir, runs); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPlan(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, runs) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, runs)
	}
	if err := WritePlan(dir, []RunSpec{{Name: "x", Dir: "/elsewhere/x", Config: a}}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("a run outside the folder: %v", err)
	}
}

func TestReadPlanBadInput(t *testing.T) {
	for _, c := range []struct {
		name, content, want string
	}{
		{"missing", "", "has no plan.json"},
		{"not json", "{", "plan.json"},
		{"empty", "[]", "lists no runs"},
		{"unknown field", `[{"name":"a","dir":"a","config":"","extra":1}]`, "unknown field"},
		{"escaping dir", `[{"name":"a","dir":"../a","config":""}]`, "outside the experiment"},
		{"bad key", `[{"name":"a","dir":"a","config":"model:\n  dept: 20\n"}]`, "dept"},
		{"invalid config", `[{"name":"a","dir":"a","config":"name: x\n"}]`, "run a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.name != "missing" {
				if err := os.WriteFile(filepath.Join(dir, PlanFile), []byte(c.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ReadPlan(dir)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want ErrInvalidInput mentioning %q", err, c.want)
			}
		})
	}
}
