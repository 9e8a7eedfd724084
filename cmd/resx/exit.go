package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/resx-dev/resx/internal/config"
	"github.com/resx-dev/resx/internal/dataset"
	"github.com/resx-dev/resx/internal/experiment"
	"github.com/resx-dev/resx/internal/report"
)

// Exit codes; root's help lists them.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// badInput are the errors, wrapped anywhere in a chain, that mean the user
// gave resx something it cannot use (exit 2), besides *config.ValidationError.
var badInput = []error{
	experiment.ErrInvalidInput,
	dataset.ErrInvalidData,
	dataset.ErrUnknownDataset,
	report.ErrNoRuns,
}

// usageError is a mistake on the command line: a bad flag, a missing
// argument. Only these print the usage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitCode maps an error from a command to the process's exit status.
func exitCode(err error) int {
	var ve *config.ValidationError
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue), errors.As(err, &ve):
		return exitUsage
	}
	for _, e := range badInput {
		if errors.Is(err, e) {
			return exitUsage
		}
	}
	return exitFailed
}

// run executes the command line in os.Args with a context that SIGINT and
// SIGTERM cancel, and returns the exit status.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal the run stops cleanly; a second one kills
		// the process the default way.
		<-ctx.Done()
		stop()
	}()
	return execute(ctx, os.Args[1:], os.Stdout, os.Stderr, term.IsTerminal(int(os.Stderr.Fd())))
}

// execute runs one command line and reports its error on stderr.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer, interactive bool) int {
	a := newApp(stdout, stderr, interactive, args)
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if !a.started {
		// cobra failed before any command ran: an unknown command or
		// flag, or wrong arguments.
		err = &usageError{err}
	}
	fmt.Fprintf(stderr, "resx: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "\n%s", cmd.UsageString())
	}
	return exitCode(err)
}
