package droplets

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"

	"github.com/Gleipnir-Technology/nixos-systems/internal/poll"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
	"github.com/Gleipnir-Technology/nixos-systems/internal/sshtest"
)

// These tests drive the error paths through fakes of the narrowed godo
// services; the simulator tests (internal/app, internal/e2e) run the same
// code end to end.

func ours(id int, name string) godo.Droplet {
	return godo.Droplet{ID: id, Name: name, Tags: []string{"nixos-systems"}, SizeSlug: "s-1vcpu-2gb"}
}

var quick = poll.Pace{Timeout: 50 * time.Millisecond, FirstPoll: 5 * time.Millisecond}

func TestDestroyErrorPaths(t *testing.T) {
	foreign := godo.Droplet{ID: 2, Name: "theirs"}
	tests := []struct {
		name      string
		fake      *fakeDroplets
		target    string
		consent   prompt.Consent
		want      string // in the error
		kind      error  // errors.Is it, if set
		overrides bool   // a *problem.Overridable
		deletes   int    // delete requests sent
	}{
		{name: "delete refused by DigitalOcean", fake: &fakeDroplets{droplets: []godo.Droplet{ours(1, "web")}, deleteErr: apiError("DELETE", 500, "boom")},
			target: "web", consent: prompt.Consent{Yes: true}, want: `destroy droplet 1: DELETE https://api.digitalocean.com/v2/x: 500 (request "req-1") boom: DigitalOcean is failing`},
		{name: "foreign", fake: &fakeDroplets{droplets: []godo.Droplet{foreign}},
			target: "theirs", consent: prompt.Consent{Yes: true}, want: "droplet theirs (id 2) was not made by this repo (no tag nixos-systems)", overrides: true},
		{name: "no answer to the question", fake: &fakeDroplets{droplets: []godo.Droplet{ours(1, "web")}},
			target: "web", consent: prompt.Consent{Out: &bytes.Buffer{}}, want: "not destroyed", kind: prompt.ErrDeclined},
		{name: "still listed after the delete", fake: &fakeDroplets{droplets: []godo.Droplet{ours(1, "web")}, keep: true},
			target: "1", consent: prompt.Consent{Yes: true}, want: "droplet 1 still listed 50ms after the delete", kind: ErrDeleteUnconfirmed, deletes: 1},
		{name: "unknown ID", fake: &fakeDroplets{}, target: "42", consent: prompt.Consent{Yes: true}, want: "no droplet with ID 42", kind: ErrNoSuchDroplet},
		{name: "unknown name", fake: &fakeDroplets{}, target: "web", consent: prompt.Consent{Yes: true}, want: `no droplet named "web"`, kind: ErrNoSuchDroplet},
		{name: "name taken twice", fake: &fakeDroplets{droplets: []godo.Droplet{ours(1, "web"), ours(3, "web")}},
			target: "web", consent: prompt.Consent{Yes: true}, want: `2 droplets are named "web" (IDs 1, 3); name one by ID`},
		{name: "lookup fails", fake: &fakeDroplets{listErr: apiError("GET", 401, "Unable to authenticate you")},
			target: "web", consent: prompt.Consent{Yes: true}, want: "look up droplets named web: GET https://api.digitalocean.com/v2/x: 401"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fake
			_, err := Destroy(context.Background(), API{Droplets: f}, tc.target, DestroyOptions{Consent: tc.consent, Pace: quick})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to be %v", err, tc.kind)
			}
			var o *problem.Overridable
			if errors.As(err, &o) != tc.overrides || tc.overrides && o.Action != "destroy it anyway" {
				t.Errorf("err = %v, overridable = %t, want %t", err, errors.As(err, &o), tc.overrides)
			}
			if len(f.deleted) != tc.deletes {
				t.Errorf("%d delete requests, want %d", len(f.deleted), tc.deletes)
			}
		})
	}
}

func TestCreateErrorPaths(t *testing.T) {
	key := sshtest.NewPublicKey(t)
	plan := Plan{Spec: Spec{Name: "web", Region: "sfo3", Tags: []string{"nixos", "nixos-systems"}}, Size: godo.Size{Slug: "s-1vcpu-2gb"}, Image: godo.Image{Slug: "debian-12-x64"},
		Keys: []godo.Key{{ID: 7, PublicKey: string(ssh.MarshalAuthorizedKey(key))}}, Login: Login{Keys: []ssh.PublicKey{key}, From: []string{"id_test"}}}
	foreign := plan
	foreign.Login = Login{Keys: []ssh.PublicKey{sshtest.NewPublicKey(t)}, From: []string{"id_other"}}
	custom := plan
	custom.Image = godo.Image{ID: 99, Type: "custom"}
	custom.IPv6 = true
	withProject := plan
	withProject.Project = "p1"
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name     string
		ctx      context.Context
		fake     *fakeDroplets
		projects fakeProjects
		plan     Plan
		want     string // in the error; "" = no error
		kind     error
		stranded string // "" = not stranded, "maybe" or "known"
		creates  int
	}{
		{name: "none of the operator's keys on the droplet", fake: &fakeDroplets{}, plan: foreign, want: "so nobody could log in to it"},
		{name: "name taken by a foreign droplet", fake: &fakeDroplets{droplets: []godo.Droplet{{ID: 5, Name: "web"}}}, plan: plan,
			want: "a droplet named web (id 5) exists but was not made by this repo", kind: ErrNameTaken},
		{name: "custom image with IPv6 refused", fake: &fakeDroplets{createErr: apiError("POST", http.StatusUnprocessableEntity, "image is not compatible with ipv6")}, plan: custom,
			want: "422", kind: ErrCustomImageIPv6, creates: 1},
		{name: "other refusal", fake: &fakeDroplets{createErr: apiError("POST", http.StatusUnprocessableEntity, "name is invalid")}, plan: plan,
			want: "create droplet web: POST https://api.digitalocean.com/v2/x: 422", creates: 1},
		{name: "lost answer, droplet made", fake: &fakeDroplets{createErr: errNoAnswer, makes: true}, plan: plan, creates: 1},
		{name: "lost answer, no droplet", fake: &fakeDroplets{createErr: errNoAnswer}, plan: plan,
			want: "no droplet was made, so it is safe to retry", creates: 1},
		{name: "lost answer, lookup fails", fake: &fakeDroplets{createErr: errNoAnswer, lostList: true}, plan: plan,
			want: "and could not check whether it exists", stranded: "maybe", creates: 1},
		{name: "interrupted", ctx: cancelled, fake: &fakeDroplets{createErr: context.Canceled}, plan: plan,
			want: "create droplet web interrupted: if DigitalOcean made it, it is tagged nixos-systems", kind: context.Canceled, stranded: "maybe", creates: 1},
		{name: "project assignment fails", fake: &fakeDroplets{}, projects: fakeProjects{err: apiError("POST", 403, "forbidden")}, plan: withProject,
			want: "droplet web (id 1001) is not in project p1 (p1)", stranded: "known", creates: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			f := tc.fake
			var log bytes.Buffer
			got, err := Create(ctx, API{Droplets: f, Projects: tc.projects}, tc.plan, &log)
			switch {
			case tc.want == "" && (err != nil || got.Droplet == nil):
				t.Fatalf("err = %v, droplet %v; want the droplet found", err, got.Droplet)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to be %v", err, tc.kind)
			}
			var s *StrandedError
			switch {
			case !errors.As(err, &s) && tc.stranded != "":
				t.Errorf("err = %v, want it stranded (%s)", err, tc.stranded)
			case errors.As(err, &s) && (tc.stranded == "" || s.Maybe != (tc.stranded == "maybe") || !s.Maybe && s.ID == 0 || s.Name != "web"):
				t.Errorf("stranded %+v, want %q", s, tc.stranded)
			}
			if len(f.created) != tc.creates {
				t.Errorf("%d create requests, want %d", len(f.created), tc.creates)
			}
			if strings.Contains(err2str(err), "\n") {
				t.Errorf("not one line: %q", err)
			}
		})
	}
}

func err2str(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestCheckErrorPaths(t *testing.T) {
	spec := Spec{Name: "web", Region: "sfo3", Size: "s-1vcpu-2gb", Image: "debian-12-x64"}
	tests := []struct {
		name   string
		change func(api *API, spec *Spec)
		want   string
		kind   error
	}{
		{"regions unreadable", func(api *API, _ *Spec) {
			api.Regions = fakeRegions{err: apiError("GET", 503, "unavailable")}
		}, "list regions: GET https://api.digitalocean.com/v2/x: 503", nil},
		{"region closed", func(api *API, _ *Spec) {
			api.Regions = fakeRegions{regions: []godo.Region{{Slug: "sfo3"}}}
		}, `region "sfo3" is not taking new droplets now`, ErrRegionClosed},
		{"sizes unreadable", func(api *API, _ *Spec) {
			api.Sizes = fakeSizes{err: apiError("GET", 429, "slow down")}
		}, "list sizes: GET https://api.digitalocean.com/v2/x: 429", nil},
		{"unknown size", func(_ *API, s *Spec) { s.Size = "s-64vcpu" }, `unknown size "s-64vcpu"`, ErrUnknownSize},
		{"image too big", func(api *API, _ *Spec) {
			api.Images = fakeImages{img: godo.Image{Slug: "big", Status: "available", MinDiskSize: 500}}
		}, `image "debian-12-x64" needs a 500 GB disk but size s-1vcpu-2gb has 50 GB`, ErrImageTooBig},
		{"image importing", func(api *API, _ *Spec) {
			api.Images = fakeImages{img: godo.Image{ID: 9, Status: "pending"}}
		}, `image "debian-12-x64" is pending, not available`, ErrImageNotReady},
		{"no SSH keys", func(api *API, _ *Spec) { api.Keys = fakeKeys{} }, "the account has no SSH keys", nil},
		{"bad name", func(_ *API, s *Spec) { s.Name = "web_1" }, `invalid droplet name "web_1"`, ErrBadName},
		{"name of digits only", func(_ *API, s *Spec) { s.Name = "123" }, `invalid droplet name "123": a name of digits only is taken for a droplet ID`, ErrBadName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDroplets{}
			api, s := fakeAPI(f), spec
			tc.change(&api, &s)
			_, err := Check(context.Background(), api, s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to be %v", err, tc.kind)
			}
		})
	}
	if _, err := Check(context.Background(), fakeAPI(&fakeDroplets{}), spec); err != nil {
		t.Errorf("a good spec: %v", err)
	}
}

func TestWaitReadyErrorPaths(t *testing.T) {
	t.Run("droplet unreadable", func(t *testing.T) {
		f := &fakeDroplets{getErr: apiError("GET", 403, "forbidden")}
		_, err := WaitReady(context.Background(), API{Droplets: f}, 1, WaitOptions{Pace: quick})
		if err == nil || !strings.Contains(err.Error(), "read droplet 1: GET https://api.digitalocean.com/v2/x: 403") || !strings.Contains(err.Error(), "lacks a scope") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no address before the timeout", func(t *testing.T) {
		f := &fakeDroplets{droplets: []godo.Droplet{{ID: 1, Name: "web", Status: "new"}}}
		_, err := WaitReady(context.Background(), API{Droplets: f}, 1, WaitOptions{Pace: quick})
		var s *StrandedError
		if !errors.As(err, &s) || s.ID != 1 || s.Name != "web" || !errors.Is(err, context.DeadlineExceeded) ||
			!strings.Contains(err.Error(), "droplet 1 (status new): no SSH within 50ms") {
			t.Fatalf("err = %v, want the droplet stranded after the timeout", err)
		}
		if strings.Count(err.Error(), " after ") > 0 {
			t.Errorf("err = %v, want the timeout said once, not an elapsed time after it", err)
		}
	})
}
