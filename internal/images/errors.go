package images

import "github.com/Gleipnir-Technology/nixos-systems/internal/problem"

// What can go wrong on the way from a built image to an available one.
var (
	ErrNoImageFile   = problem.NewKind("no image file")
	ErrNoKVM         = problem.NewKind("no KVM for the image build")
	ErrNoSuchImage   = problem.NewKind("no such image")
	ErrImportUnknown = problem.NewKind("import answer lost")
	ErrImportGone    = problem.NewKind("import disappeared")
	ErrImportFailed  = problem.NewKind("import failed")
)

// StillImportingError is a wait that ended before the import did:
// DigitalOcean goes on importing, and bills the storage once it lands.
type StillImportingError struct {
	ID  int
	Err error
}

func (e *StillImportingError) Error() string { return e.Err.Error() }
func (e *StillImportingError) Unwrap() error { return e.Err }
