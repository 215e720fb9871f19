package droplets

import (
	"errors"

	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
)

// What can be wrong with a droplet's spec, found before anything is made.
var (
	ErrBadName          = problem.NewKind("invalid droplet name")
	ErrNameTaken        = problem.NewKind("name taken by a droplet this repo did not make")
	ErrRegionClosed     = problem.NewKind("region not taking new droplets")
	ErrUnknownSize      = problem.NewKind("unknown size")
	ErrSizeNotInRegion  = problem.NewKind("size not offered in the region")
	ErrUnknownImage     = problem.NewKind("unknown image")
	ErrImageNotReady    = problem.NewKind("image not available yet")
	ErrImageNotInRegion = problem.NewKind("image not in the region")
	ErrImageTooBig      = problem.NewKind("image larger than the size's disk")
)

// ErrCustomImageIPv6 marks DigitalOcean's refusal to give a custom-image droplet IPv6.
var ErrCustomImageIPv6 = errors.New("droplets from custom images get no IPv6 and take their IPv4 address by DHCP")

// ErrNoSuchDroplet is a name or ID no droplet of the account has.
var ErrNoSuchDroplet = problem.NewKind("no such droplet")

// ErrDeleteUnconfirmed is a delete that was sent but not yet seen to finish.
var ErrDeleteUnconfirmed = problem.NewKind("delete not confirmed")

// StrandedError is a failure that leaves a droplet behind, or may have:
// it costs money until it is destroyed.
type StrandedError struct {
	Name       string // the droplet's name
	ID         int    // its ID; 0 when it is not known whether DigitalOcean made it
	Maybe      bool   // DigitalOcean may or may not have made it
	Unfinished bool   // it exists but lacks its project or tags, which running again repairs
	Err        error
}

func (e *StrandedError) Error() string { return e.Err.Error() }
func (e *StrandedError) Unwrap() error { return e.Err }
