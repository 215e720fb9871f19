package verify

import (
	"strings"
)

// Status is the outcome of one check.
type Status string

const (
	OK     Status = "ok"
	Failed Status = "FAILED"
	// Warning is a problem that does not stop the operation: a failed
	// check the operator chose to override, or a finding that leaves the
	// result usable (units that failed on an installed system).
	Warning Status = "WARNING"
)

// Check is one line of a report.
type Check struct {
	Name   string `json:"name"` // short and stable: "ssh", "host key", "nixos", "ipv4" …
	Status Status `json:"status"`
	Detail string `json:"detail"` // what was found, and for a failure what to do about it
	Err    error  `json:"-"`      // the failure, for errors.As; nil when OK
}

// Pass is a check that passed.
func Pass(name, detail string) Check { return Check{Name: name, Status: OK, Detail: detail} }

// Fail is a check that failed with err, which says what was found and the fix.
func Fail(name string, err error) Check {
	return Check{Name: name, Status: Failed, Detail: err.Error(), Err: err}
}

// Warn is a failed check that does not stop the operation.
func Warn(name string, err error) Check {
	return Check{Name: name, Status: Warning, Detail: err.Error(), Err: err}
}

// Report is the outcome of a series of checks on one host.
type Report struct {
	Subject string  `json:"subject"` // what was checked, e.g. "verify 203.0.113.7"
	Checks  []Check `json:"checks"`
	// Explain adds to a failed check's error what the operator can do
	// about it, as the check is added; nil leaves errors as they are.
	Explain func(error) error `json:"-"`
}

// Add appends c, explained.
func (r *Report) Add(c Check) {
	if c.Err != nil && r.Explain != nil {
		c.Err = r.Explain(c.Err)
		c.Detail = c.Err.Error()
	}
	r.Checks = append(r.Checks, c)
}

// Failed lists the checks with status Failed.
func (r Report) Failed() []Check {
	var failed []Check
	for _, c := range r.Checks {
		if c.Status == Failed {
			failed = append(failed, c)
		}
	}
	return failed
}

// Err returns a *Failure naming every failed check, or nil if none failed.
func (r Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	return &Failure{Subject: r.Subject, Checks: failed}
}

// Failure is the error of a report with failed checks. errors.As reaches the
// checks' own errors through it, e.g. a *remote.HostKeyChangedError.
type Failure struct {
	Subject string
	Checks  []Check // the failed ones
}

func (f *Failure) Error() string {
	parts := make([]string, len(f.Checks))
	for i, c := range f.Checks {
		parts[i] = c.Name + ": " + c.Detail
	}
	return f.Subject + " failed: " + strings.Join(parts, "; ")
}

func (f *Failure) Unwrap() []error {
	var errs []error
	for _, c := range f.Checks {
		if c.Err != nil {
			errs = append(errs, c.Err)
		}
	}
	return errs
}
