package images

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/Gleipnir-Technology/nixos-systems/internal/dosim"
)

var fastWait = WaitOptions{Timeout: 5 * time.Second, FirstPoll: 5 * time.Millisecond, MaxPoll: 20 * time.Millisecond}

func request(name string) ImportRequest {
	return ImportRequest{
		Name: name, URL: "https://static.example.com/" + name + ".qcow2.gz", Region: "sfo3",
		Description: "test", Tags: []string{"nixos", "nixos-systems"},
	}
}

func TestImportAndWait(t *testing.T) {
	sim, c := simClient(t, dosim.Options{ImportTime: 200 * time.Millisecond})
	ctx := context.Background()
	img, err := Import(ctx, c, request("nixos-25.11"))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	for _, r := range sim.Requests() {
		if r.Method == "POST" && r.Path == "/v2/images" {
			json.Unmarshal(r.Body, &body)
		}
	}
	want := map[string]any{
		"name": "nixos-25.11", "url": "https://static.example.com/nixos-25.11.qcow2.gz", "region": "sfo3",
		"distribution": "Unknown", "description": "test", "tags": []any{"nixos", "nixos-systems"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("import request (-want +got):\n%s", diff)
	}
	var log bytes.Buffer
	o := fastWait
	o.Log = &log
	got, err := WaitAvailable(ctx, c, img.ID, o)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusAvailable || got.SizeGigaBytes == 0 {
		t.Errorf("image after wait: status %s, %v GB", got.Status, got.SizeGigaBytes)
	}
	for _, s := range []string{"is NEW", "is pending", "is available"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("progress lacks %q:\n%s", s, log.String())
		}
	}
	gets := 0
	for _, r := range sim.Requests() {
		if r.Method == "GET" {
			gets++
		}
	}
	// 200ms at 5, 10, 20, 20… ms is about a dozen polls; far more means no backoff.
	if gets > 30 {
		t.Errorf("%d polls for a 200ms import", gets)
	}
}

func TestWaitReportsImportError(t *testing.T) {
	const msg = "Unable to download image from URL: 404 Not Found"
	_, c := simClient(t, dosim.Options{ImportTime: 50 * time.Millisecond, ImportError: msg})
	img, err := Import(context.Background(), c, request("broken"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = WaitAvailable(context.Background(), c, img.ID, fastWait)
	if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "status deleted") {
		t.Fatalf("err = %v, want DigitalOcean's error_message", err)
	}
}

func TestWaitTimesOut(t *testing.T) {
	_, c := simClient(t, dosim.Options{ImportTime: time.Hour})
	img, err := Import(context.Background(), c, request("slow"))
	if err != nil {
		t.Fatal(err)
	}
	o := fastWait
	o.Timeout = 100 * time.Millisecond
	// The import takes an hour: only the timeout can end the wait.
	_, err = WaitAvailable(context.Background(), c, img.ID, o)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") || !errors.As(err, new(*StillImportingError)) {
		t.Fatalf("err = %v, want a timeout saying how to clean up", err)
	}
}

func TestWaitCancelled(t *testing.T) {
	_, c := simClient(t, dosim.Options{ImportTime: time.Hour})
	img, err := Import(context.Background(), c, request("slow"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = WaitAvailable(ctx, c, img.ID, fastWait)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want interrupted", err)
	}
}

func TestImportRefused(t *testing.T) {
	_, c := simClient(t, dosim.Options{})
	r := request("x")
	r.Region = "mars1"
	_, err := Import(context.Background(), c, r)
	if err == nil || !strings.Contains(err.Error(), "422") || !strings.Contains(err.Error(), "into mars1") {
		t.Fatalf("err = %v, want the 422 naming the region", err)
	}
}
