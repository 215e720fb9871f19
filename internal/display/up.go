package display

import (
	"fmt"
	"io"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/cmdline"
	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/hints"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
)

// UpPlan prints what `up` is about to do: the sizes, their prices, what
// the install costs, and the steps.
func UpPlan(o plan.Outline) Printable { return upPlan(o) }

type upPlan plan.Outline

func (p upPlan) JSON() any { return plan.Outline(p) }

// planSize is one size of a plan and why it is there.
type planSize struct {
	label string
	size  droplets.Size
	why   string
}

var planSizeTable = Table[planSize]{
	Bare: true, Indent: "  ", Padding: 2,
	Columns: []Column[planSize]{
		{"", func(s planSize) string { return s.label }},
		{"Slug", func(s planSize) string { return s.size.Slug }},
		{"Size", func(s planSize) string {
			return fmt.Sprintf("%d MB, %d vCPU, %d GB", s.size.MemoryMB, s.size.VCPUs, s.size.DiskGB)
		}},
		{"Price Monthly", func(s planSize) string { return fmt.Sprintf("$%0.2f/month", s.size.PriceMonthly) }},
		{"Price Hourly", func(s planSize) string { return fmt.Sprintf("$%0.6f/hour", s.size.PriceHourly) }},
		{"Why", func(s planSize) string { return s.why }},
	},
}

func (p upPlan) Text(w io.Writer) error {
	what := "a new droplet"
	if p.Exists {
		what = "the droplet exists; steps done already are skipped"
	}
	if _, err := fmt.Fprintf(w, "up %s: route %s in %s, %s\n", p.Name, p.Route, p.Region, what); err != nil {
		return err
	}
	sizes := []planSize{{"size", p.Size, p.Why}}
	if p.Detour != nil {
		sizes = append(sizes, planSize{"install on", *p.Detour, fmt.Sprintf(
			"for the install only: nixos-anywhere's installer runs from RAM and needs %d MB; CPU and RAM only, so the droplet can go back", droplets.AnywhereMinMB)})
	}
	if err := planSizeTable.List(sizes).Text(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "  install cost: at most $%0.2f once (%s), then $%0.2f/month\n", p.Install.Total, costBasis(plan.Outline(p)), p.Size.PriceMonthly)
	fmt.Fprintln(w, "steps:")
	for i, name := range p.Steps {
		if _, err := fmt.Fprintf(w, "  %d. %s\n", i+1, name); err != nil {
			return err
		}
	}
	return nil
}

// costBasis says how the install's cost bound comes about, and what each
// ten minutes of the run add: no real install has been timed, so there is
// no typical length to give.
func costBasis(p plan.Outline) string {
	s := fmt.Sprintf("billed per second: the run is bounded by %s, at %s's price at most", hints.Timeout(p.Timeout), p.Install.At)
	if p.Detour != nil {
		s += fmt.Sprintf(", $%0.2f of it for installing on %s", p.Install.Detour, p.Detour.Slug)
	}
	return s + fmt.Sprintf("; $%0.4f for every 10 minutes it takes", plan.CostOf(p.Size, p.Detour, 10*time.Minute).Total)
}

// UpResult prints the one report of a finished `up`: the droplet, the
// checks of its verification, what it costs, and what the steps did.
func UpResult(r plan.Result, now time.Time) Printable { return upResult{r, now} }

type upResult struct {
	r   plan.Result
	now time.Time
}

func (u upResult) JSON() any { return u.r }

var stepTable = Table[steps.Record]{
	Bare: true, Indent: "  ", Padding: 2,
	Columns: []Column[steps.Record]{
		{"Step", func(r steps.Record) string { return r.Name }},
		{"Outcome", func(r steps.Record) string { return string(r.Outcome) }},
		{"Took", func(r steps.Record) string {
			if r.Outcome == steps.Skipped || r.Outcome == steps.NotRun {
				return ""
			}
			return cmdline.Format(r.Took.Round(time.Second / 10))
		}},
	},
}

func (u upResult) Text(w io.Writer) error {
	r := u.r
	if err := Droplet(r.Droplet, u.now).Text(w); err != nil {
		return err
	}
	if err := Report(r.Verified).Text(w); err != nil {
		return err
	}
	cost := fmt.Sprintf("route %s: $%0.2f/month on %s", r.Route, r.Droplet.PriceMonthly, r.Droplet.Size)
	if r.Install != nil {
		cost += fmt.Sprintf("; this run cost at most $%0.2f (its %s billed per second at %s's price)",
			r.Install.Total, seconds(r.Install.Seconds), r.Install.At)
	}
	if r.Install != nil && r.Detour != "" {
		cost += fmt.Sprintf(", $%0.2f of it for the detour to %s", r.Install.Detour, r.Detour)
	}
	if _, err := fmt.Fprintf(w, "%s\nsteps (%s in all):\n", cost, seconds(r.Seconds)); err != nil {
		return err
	}
	return stepTable.List(r.Steps).Text(w)
}

// seconds writes a length the JSON holds in seconds as the flags take it,
// to the second.
func seconds(s float64) string {
	return cmdline.Format(time.Duration(s * float64(time.Second)).Round(time.Second))
}
