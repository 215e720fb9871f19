package images

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/doapi"
	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

// importAll imports managed images named mine-N and one foreign image, and
// waits until they are all available.
func importAll(t *testing.T, c *godo.Client, mine int) (ids []int, foreign int) {
	t.Helper()
	ctx := context.Background()
	for i := range mine {
		img, err := Import(ctx, c, request("mine-"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, img.ID)
	}
	img, _, err := c.Images.Create(ctx, &godo.CustomImageCreateRequest{Name: "someone-elses", Url: "https://example.com/x.img.gz", Region: "sfo3", Distribution: "Unknown"})
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
	if r.Status != StatusAvailable || r.SizeGB <= 0 || r.MonthlyCost != r.SizeGB*PricePerGBMonth || r.Created.IsZero() {
		t.Errorf("row = %+v", r)
	}
	var out bytes.Buffer
	if err := WriteList(&out, rows); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ID", "Per Month", "mine-a", "mine-b", "available", "sfo3", "Total: 2 image(s)", "$0.22"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, out.String())
		}
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
		o    DeleteOptions
		want string
	}{
		{"not a number", "nixos", DeleteOptions{Yes: true}, `image ID "nixos" is not a number`},
		{"unknown", "42", DeleteOptions{Yes: true}, "no image with ID 42"},
		{"foreign", strconv.Itoa(foreign), DeleteOptions{Yes: true}, "was not imported by this repo (no tag nixos-systems); pass -force"},
		{"no answer", strconv.Itoa(ids[0]), DeleteOptions{Log: &log}, "not deleted: answer y to the question, or pass -yes"},
		{"answered no", strconv.Itoa(ids[0]), DeleteOptions{Confirm: strings.NewReader("n\n"), Log: &log}, "not deleted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Delete(ctx, c, tc.id, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if !strings.Contains(log.String(), "Delete image mine-a") || !strings.Contains(log.String(), "[y/N]") {
		t.Errorf("question not asked: %q", log.String())
	}
	if _, err := Delete(ctx, c, strconv.Itoa(ids[0]), DeleteOptions{Confirm: strings.NewReader("y\n"), Log: &log}); err != nil {
		t.Fatal(err)
	}
	if _, err := Delete(ctx, c, strconv.Itoa(foreign), DeleteOptions{Yes: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{ids[0], foreign} {
		if _, _, err := c.Images.GetByID(ctx, id); !doapi.IsNotFound(err) {
			t.Errorf("image %d still there: %v", id, err)
		}
	}
}
