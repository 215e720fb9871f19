package images

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
	"github.com/Gleipnir-Technology/nixos-systems/internal/problem"
	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
)

// importAll imports managed images named mine-N and one foreign image, and
// waits until they are all available.
func importAll(t *testing.T, c API, mine int) (ids []int, foreign int) {
	t.Helper()
	ctx := context.Background()
	for i := range mine {
		img, err := Import(ctx, c, request("mine-"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, img.ID)
	}
	img, _, err := c.Create(ctx, &godo.CustomImageCreateRequest{Name: "someone-elses", Url: "https://example.com/x.img.gz", Region: "sfo3", Distribution: "Unknown"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range append(ids, img.ID) {
		if _, err := WaitAvailable(ctx, c, id, fastWait); err != nil {
			t.Fatal(err)
		}
	}
	return ids, img.ID
}

func TestListShowsOnlyManagedImagesWithCost(t *testing.T) {
	_, c := simClient(t, dosim.Options{ImportTime: 20 * time.Millisecond})
	ids, _ := importAll(t, c, 2)
	rows, err := List(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != ids[0] || rows[1].ID != ids[1] {
		t.Fatalf("rows = %+v, want images %v only", rows, ids)
	}
	r := rows[0]
	if r.Status != StatusAvailable || r.SizeGB <= 0 || float64(r.MonthlyCost) != r.SizeGB*PricePerGBMonth || r.Created.IsZero() {
		t.Errorf("row = %+v", r)
	}
}

func TestDeleteGuards(t *testing.T) {
	_, c := simClient(t, dosim.Options{ImportTime: 20 * time.Millisecond})
	ids, foreign := importAll(t, c, 1)
	ctx := context.Background()
	var log bytes.Buffer
	tests := []struct {
		name string
		id   string
		o    prompt.Consent
		want string
		kind error
	}{
		{"not a number", "nixos", prompt.Consent{Yes: true}, `image ID "nixos" is not a number`, ErrNoSuchImage},
		{"zero", "0", prompt.Consent{Yes: true}, "no image has ID 0", ErrNoSuchImage},
		{"too large", "99999999999999999999", prompt.Consent{Yes: true}, "larger than any ID", ErrNoSuchImage},
		{"unknown", "42", prompt.Consent{Yes: true}, "no image with ID 42", ErrNoSuchImage},
		{"foreign", strconv.Itoa(foreign), prompt.Consent{Yes: true}, "was not imported by this repo (no tag nixos-systems)", nil},
		{"no answer", strconv.Itoa(ids[0]), prompt.Consent{Out: &log}, "not deleted", prompt.ErrDeclined},
		{"answered no", strconv.Itoa(ids[0]), prompt.Consent{In: strings.NewReader("n\n"), Out: &log}, "not deleted", prompt.ErrDeclined},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Delete(ctx, c, tc.id, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var override *problem.Overridable
			if tc.kind == nil && (!errors.As(err, &override) || override.Action != "delete it anyway") {
				t.Errorf("err = %v, want it overridable", err)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to be %v", err, tc.kind)
			}
		})
	}
	if !strings.Contains(log.String(), "Delete image mine-a") || !strings.Contains(log.String(), "[y/N]") {
		t.Errorf("question not asked: %q", log.String())
	}
	if _, err := Delete(ctx, c, strconv.Itoa(ids[0]), prompt.Consent{In: strings.NewReader("y\n"), Out: &log}); err != nil {
		t.Fatal(err)
	}
	if _, err := Delete(ctx, c, strconv.Itoa(foreign), prompt.Consent{Yes: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{ids[0], foreign} {
		if _, _, err := c.GetByID(ctx, id); !doapi.IsNotFound(err) {
			t.Errorf("image %d still there: %v", id, err)
		}
	}
}
