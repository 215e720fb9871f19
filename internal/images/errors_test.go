package images

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/Gleipnir-Technology/nixos-systems/internal/prompt"
)

// These tests drive the error paths through a fake of the narrowed images
// service; the simulator tests run the same code end to end.

// fakeImages is an API holding images in memory; its err fields make one
// call fail.
type fakeImages struct {
	images    []godo.Image
	creates   int
	deletes   int
	getErr    error
	listErr   error
	createErr error
	makes     bool // with createErr, the import starts anyway (its answer was lost)
	deleteErr error
}

func (f *fakeImages) GetByID(_ context.Context, id int) (*godo.Image, *godo.Response, error) {
	if f.getErr != nil {
		return nil, nil, f.getErr
	}
	for i := range f.images {
		if f.images[i].ID == id {
			img := f.images[i]
			return &img, nil, nil
		}
	}
	return nil, nil, apiError("GET", http.StatusNotFound, "not found")
}

func (f *fakeImages) ListUser(context.Context, *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
	return f.images, nil, f.listErr
}

func (f *fakeImages) Create(_ context.Context, r *godo.CustomImageCreateRequest) (*godo.Image, *godo.Response, error) {
	f.creates++
	img := godo.Image{ID: 100 + f.creates, Name: r.Name, Description: r.Description, Tags: r.Tags, Status: "NEW"}
	if f.createErr == nil || f.makes {
		f.images = append(f.images, img)
	}
	if f.createErr != nil {
		return nil, nil, f.createErr
	}
	return &img, nil, nil
}

func (f *fakeImages) Delete(context.Context, int) (*godo.Response, error) {
	f.deletes++
	return nil, f.deleteErr
}

func apiError(method string, status int, message string) error {
	u, _ := url.Parse("https://api.digitalocean.com/v2/images")
	return &godo.ErrorResponse{Response: &http.Response{StatusCode: status, Request: &http.Request{Method: method, URL: u}}, Message: message, RequestID: "req-1"}
}

var errNoAnswer = errors.New("read tcp: connection reset by peer")

func TestImportErrorPaths(t *testing.T) {
	t.Run("lost answer, import started", func(t *testing.T) {
		f := &fakeImages{createErr: errNoAnswer, makes: true}
		img, err := Import(context.Background(), f, request("nixos"))
		if err != nil || img == nil || img.Name != "nixos" || f.creates != 1 {
			t.Fatalf("Import = %v, %v after %d requests; want the started import found", img, err, f.creates)
		}
	})
	t.Run("lost answer, nothing found", func(t *testing.T) {
		f := &fakeImages{createErr: errNoAnswer}
		_, err := Import(context.Background(), f, request("nixos"))
		if !errors.Is(err, ErrImportUnknown) || !errors.Is(err, errNoAnswer) || f.creates != 1 {
			t.Fatalf("err = %v after %d requests, want ErrImportUnknown wrapping the network error", err, f.creates)
		}
	})
	t.Run("refused", func(t *testing.T) {
		f := &fakeImages{createErr: apiError("POST", 422, "url is invalid")}
		_, err := Import(context.Background(), f, request("nixos"))
		if err == nil || !strings.Contains(err.Error(), "import image nixos from https://static.example.com/nixos.qcow2.gz into sfo3: POST") || errors.Is(err, ErrImportUnknown) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWaitAvailableErrorPaths(t *testing.T) {
	o := WaitOptions{Timeout: 50 * time.Millisecond, FirstPoll: 5 * time.Millisecond}
	tests := []struct {
		name string
		fake *fakeImages
		want string
		kind error
	}{
		{"gone", &fakeImages{}, "image 7 disappeared while importing", ErrImportGone},
		{"failed", &fakeImages{images: []godo.Image{{ID: 7, Status: "NEW", ErrorMessage: "could not fetch\n"}}},
			"DigitalOcean could not import image 7 (status NEW): could not fetch; check that the URL serves", ErrImportFailed},
		{"unreadable", &fakeImages{getErr: apiError("GET", 500, "boom")}, "read image 7: GET https://api.digitalocean.com/v2/images: 500", nil},
		{"slow", &fakeImages{images: []godo.Image{{ID: 7, Status: "pending"}}}, "stopped waiting for image 7 (status pending): timed out", context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WaitAvailable(context.Background(), tc.fake, 7, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to be %v", err, tc.kind)
			}
		})
	}
}

func TestDeleteRefusedByDigitalOcean(t *testing.T) {
	f := &fakeImages{images: []godo.Image{{ID: 7, Name: "nixos", Tags: []string{"nixos-systems"}}}, deleteErr: apiError("DELETE", 409, "image is in use")}
	_, err := Delete(context.Background(), f, "7", prompt.Consent{Yes: true})
	if err == nil || !strings.Contains(err.Error(), "delete image 7: DELETE https://api.digitalocean.com/v2/images: 409") || f.deletes != 1 {
		t.Fatalf("err = %v after %d deletes", err, f.deletes)
	}
	f = &fakeImages{getErr: apiError("GET", 401, "Unable to authenticate you")}
	if _, err := Delete(context.Background(), f, "7", prompt.Consent{Yes: true}); err == nil || !strings.Contains(err.Error(), "refused the token") || f.deletes != 0 {
		t.Fatalf("err = %v after %d deletes", err, f.deletes)
	}
}
