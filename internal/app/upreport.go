package app

import (
	"fmt"

	"github.com/digitalocean/godo"
	"io"
	"text/tabwriter"
	"time"

	"github.com/Gleipnir-Technology/nixos-systems/internal/droplets"
	"github.com/Gleipnir-Technology/nixos-systems/internal/plan"
	"github.com/Gleipnir-Technology/nixos-systems/internal/steps"
	"github.com/Gleipnir-Technology/nixos-systems/internal/verify"
)

// upPlan is what `up -dryrun` shows: the sizes, what they cost and the steps.
type upPlan struct {
	Name    string         `json:"name"`
	Route   plan.Route     `json:"route"`
	Region  string         `json:"region"`
	Exists  bool           `json:"exists"`
	Size    droplets.Size  `json:"size"`
	Why     string         `json:"why"`
	Detour  *droplets.Size `json:"detour"`
	Install plan.Cost      `json:"install_cost"`
	Timeout string         `json:"timeout"`
	Steps   []string       `json:"steps"`
}

func (u *upRun) summary() upPlan {
	p := upPlan{
		Name: u.name, Route: u.route, Region: u.region, Exists: u.r.d != nil,
		Size: u.plan.Size, Why: u.why, Detour: u.plan.Detour,
		Install: u.plan.Cost(u.timeout), Timeout: u.timeout.String(),
	}
	for _, st := range u.list {
		p.Steps = append(p.Steps, st.Name)
	}
	return p
}

// writePlan prints the plan: sizes, prices, the install's cost and the steps.
func (u *upRun) writePlan(w io.Writer) error {
	p := u.summary()
	what := "a new droplet"
	if p.Exists {
		what = "the existing droplet; steps already done are skipped"
	}
	fmt.Fprintf(w, "up %s: route %s in %s, %s\n", p.Name, p.Route, p.Region, what)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	size := func(label string, s droplets.Size, why string) {
		fmt.Fprintf(tw, "  %s\t%s\t%d MB, %d vCPU, %d GB\t$%0.2f/month\t$%0.6f/hour\t%s\n", label, s.Slug, s.MemoryMB, s.VCPUs, s.DiskGB, s.PriceMonthly, s.PriceHourly, why)
	}
	size("size", p.Size, p.Why)
	if p.Detour != nil {
		size("install on", *p.Detour, fmt.Sprintf("for the install only: nixos-anywhere's installer runs from RAM and needs %d MB; CPU and RAM only, so the droplet can go back", droplets.AnywhereMinMB))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "  install cost: at most $%0.2f once (%s), then $%0.2f/month\n", p.Install.Total, describeCost(u.plan, p.Install, u.timeout), p.Size.PriceMonthly)
	fmt.Fprintln(w, "steps:")
	for i, name := range p.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, name)
	}
	return nil
}

// describeCost says how the install's cost bound comes about.
func describeCost(p plan.Plan, c plan.Cost, limit time.Duration) string {
	if p.Detour == nil {
		return fmt.Sprintf("%d started hour(s) at %s, the run being bounded by -timeout=%s", c.Hours, p.Size.Slug, limit)
	}
	return fmt.Sprintf("%d started hour(s) at %s and at %s, the run being bounded by -timeout=%s; the detour's share $%0.2f",
		c.Hours, p.Size.Slug, p.Detour.Slug, limit, c.Detour)
}

// upReport is the one report `up` prints at the end.
type upReport struct {
	Droplet      droplets.Summary `json:"droplet"`
	Route        plan.Route       `json:"route"`
	PriceMonthly float64          `json:"price_monthly"`
	Install      plan.Cost        `json:"install_cost"`
	Detour       string           `json:"detour_size,omitempty"`
	Steps        []steps.Record   `json:"steps"`
	Checks       []checkJSON      `json:"checks"`
	Changed      bool             `json:"changed"`
	Seconds      float64          `json:"seconds"`

	droplet  *godo.Droplet
	verified verify.Report
}

type checkJSON struct {
	Name   string        `json:"name"`
	Status verify.Status `json:"status"`
	Detail string        `json:"detail"`
}

func (u *upRun) report(records []steps.Record, took time.Duration) upReport {
	rep := upReport{
		Droplet: droplets.Summarize(u.r.d), Route: u.route,
		PriceMonthly: u.plan.Size.PriceMonthly, Install: u.plan.Cost(u.timeout),
		Steps: records, Changed: steps.Changed(records), Seconds: took.Seconds(),
		droplet: u.r.d, verified: u.r.verified,
	}
	if u.plan.Detour != nil {
		rep.Detour = u.plan.Detour.Slug
	}
	for _, c := range u.r.verified.Checks {
		rep.Checks = append(rep.Checks, checkJSON{Name: c.Name, Status: c.Status, Detail: c.Detail})
	}
	return rep
}

func (rep upReport) write(w io.Writer) error {
	if err := droplets.WriteDroplet(w, rep.droplet); err != nil {
		return err
	}
	if err := rep.verified.Write(w); err != nil {
		return err
	}
	cost := fmt.Sprintf("route %s: $%0.2f/month on %s; the install cost at most $%0.2f", rep.Route, rep.PriceMonthly, rep.Droplet.Size, rep.Install.Total)
	if rep.Detour != "" {
		cost += fmt.Sprintf(", $%0.2f of it for the detour to %s", rep.Install.Detour, rep.Detour)
	}
	var changed, looked, skipped int
	for _, r := range rep.Steps {
		switch {
		case r.Outcome == steps.Skipped:
			skipped++
		case r.ReadOnly:
			looked++
		default:
			changed++
		}
	}
	_, err := fmt.Fprintf(w, "%s\nsteps: %d changed something, %d only looked, %d were done already; %s in all\n",
		cost, changed, looked, skipped, time.Duration(rep.Seconds*float64(time.Second)).Round(time.Second))
	return err
}
