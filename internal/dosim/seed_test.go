package dosim

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/go-cmp/cmp"
)

// recordedCommand is one doctl command of testdata/seed-session.txt and what
// it printed.
type recordedCommand struct {
	args []string // the command line split as a shell would, without "doctl"
	out  []string // its output, one string per line
}

func readSeedSession(t *testing.T) []recordedCommand {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-session.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []recordedCommand
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "$ doctl ") || strings.HasPrefix(line, "> doctl "):
			cmds = append(cmds, recordedCommand{args: shellWords(t, line[len("$ doctl "):])})
		case strings.TrimSpace(line) != "" && len(cmds) > 0:
			cmds[len(cmds)-1].out = append(cmds[len(cmds)-1].out, line)
		}
	}
	if len(cmds) != 3 {
		t.Fatalf("recorded session has %d commands, want 3", len(cmds))
	}
	return cmds
}

// shellWords splits a command line at blanks outside double quotes, which
// is all the recorded commands use.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", line)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// flags splits doctl arguments after the subcommand words into positional
// arguments and --flag values; boolean flags map to "true".
func flags(args []string) (positional []string, values map[string]string) {
	booleans := map[string]bool{"-v": true, "--enable-ipv6": true, "--wait": true}
	values = map[string]string{}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case booleans[a]:
			values[a] = "true"
		case strings.HasPrefix(a, "-") && i+1 < len(args):
			values[a] = args[i+1]
			i++
		default:
			positional = append(positional, a)
		}
	}
	return positional, values
}

// table parses a table doctl printed (text/tabwriter, columns padded by at
// least 4 spaces; headers may hold single spaces) into one map per row,
// keyed by header.
func table(t *testing.T, lines []string) []map[string]string {
	t.Helper()
	if len(lines) < 2 {
		t.Fatalf("table without rows: %q", lines)
	}
	header := lines[0]
	var starts []int
	var names []string
	for _, loc := range regexp.MustCompile(`\S+( \S+)*`).FindAllStringIndex(header, -1) {
		starts = append(starts, loc[0])
		names = append(names, header[loc[0]:loc[1]])
	}
	var rows []map[string]string
	for _, line := range lines[1:] {
		row := map[string]string{}
		for i, name := range names {
			end := len(line)
			if i+1 < len(starts) {
				end = min(starts[i+1], len(line))
			}
			row[name] = strings.TrimSpace(line[min(starts[i], end):end])
		}
		rows = append(rows, row)
	}
	return rows
}

// doctl's displayers print ints with %d, floats with %f, booleans with %v,
// and the monthly price with %0.2f (commands/displayers/size.go, image.go).
func sizeRow(s godo.Size) map[string]string {
	return map[string]string{
		"Slug": s.Slug, "Description": s.Description, "Memory": strconv.Itoa(s.Memory),
		"VCPUs": strconv.Itoa(s.Vcpus), "Disk": strconv.Itoa(s.Disk),
		"Price Monthly": fmt.Sprintf("%0.2f", s.PriceMonthly), "Price Hourly": fmt.Sprintf("%f", s.PriceHourly),
	}
}

func imageRow(im godo.Image) map[string]string {
	return map[string]string{
		"ID": strconv.Itoa(im.ID), "Name": im.Name, "Type": im.Type, "Distribution": im.Distribution,
		"Slug": im.Slug, "Public": fmt.Sprintf("%v", im.Public), "Min Disk": strconv.Itoa(im.MinDiskSize),
		"Created": im.Created,
	}
}

// TestSeedSessionReplay sends the requests doctl makes for each command of
// the seed's recorded session, in order, and compares the simulator's
// answers with what DigitalOcean answered, field by field.
func TestSeedSessionReplay(t *testing.T) {
	session := readSeedSession(t)
	e := newEnv(t, Options{})

	// doctl compute size list: one page of 200 (doctl's do/pagination.go).
	sizeList := session[0]
	if strings.Join(sizeList.args, " ") != "compute size list" {
		t.Fatalf("first command %q", sizeList.args)
	}
	sizes, _, err := e.client.Sizes.List(ctx, &godo.ListOptions{Page: 1, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]godo.Size{}
	for _, s := range sizes {
		bySlug[s.Slug] = s
	}
	recordedSizes := table(t, sizeList.out)
	if len(recordedSizes) != 18 {
		t.Fatalf("recorded size table has %d rows, want 18", len(recordedSizes))
	}
	for _, want := range recordedSizes {
		s, ok := bySlug[want["Slug"]]
		if !ok {
			t.Errorf("size %s is not offered", want["Slug"])
			continue
		}
		if diff := cmp.Diff(want, sizeRow(s)); diff != "" {
			t.Errorf("size %s as doctl prints it (-recorded +simulated):\n%s", want["Slug"], diff)
		}
	}

	// doctl compute image create NAME --image-url … --region … --image-distribution … :
	// one POST /v2/images; doctl prints the answer.
	imageCreate := session[1]
	pos, f := flags(imageCreate.args[3:])
	im, _, err := e.client.Images.Create(ctx, &godo.CustomImageCreateRequest{
		Name: pos[0], Url: f["--image-url"], Region: f["--region"], Distribution: f["--image-distribution"],
		Description: f["--image-description"], Tags: []string{f["--tag-names"]},
	})
	if err != nil {
		t.Fatalf("DigitalOcean accepted the recorded import; the simulator answered %v", err)
	}
	recordedImage := table(t, imageCreate.out)[0]
	got := imageRow(*im)
	// The id and creation time are DigitalOcean's own; the simulator's are
	// only checked for form.
	if _, err := strconv.Atoi(got["ID"]); err != nil {
		t.Errorf("image id %q", got["ID"])
	}
	if _, err := time.Parse(time.RFC3339, got["Created"]); err != nil {
		t.Errorf("image created %q: %v", got["Created"], err)
	}
	delete(got, "ID")
	delete(got, "Created")
	delete(recordedImage, "ID")
	delete(recordedImage, "Created")
	if diff := cmp.Diff(recordedImage, got); diff != "" {
		t.Errorf("imported image as doctl prints it (-recorded +simulated):\n%s", diff)
	}

	// doctl compute droplet create NAME --image ID --project-id P --enable-ipv6 … --wait:
	// GET the project (ValidateProjectUUID), then POST /v2/droplets; the
	// refusal ends the command before any wait or project assignment.
	dropletCreate := session[2]
	pos, f = flags(dropletCreate.args[3:])
	if f["--image"] != table(t, imageCreate.out)[0]["ID"] {
		t.Fatalf("the droplet is made from image %s, not the recorded import", f["--image"])
	}
	if _, _, err := e.client.Projects.Get(ctx, f["--project-id"]); err != nil {
		t.Fatalf("project %s: %v", f["--project-id"], err)
	}
	keyID, err := strconv.Atoi(f["--ssh-keys"])
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.client.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: pos[0], Region: f["--region"], Size: f["--size"], Image: godo.DropletCreateImage{ID: im.ID},
		IPv6: f["--enable-ipv6"] == "true", SSHKeys: []godo.DropletCreateSSHKey{{ID: keyID}}, Tags: []string{f["--tag-name"]},
	})
	er := wantStatus(t, err, http.StatusUnprocessableEntity, "")
	recordedError, ok := strings.CutPrefix(dropletCreate.out[0], "Error: ")
	if !ok || len(dropletCreate.out) != 1 {
		t.Fatalf("recorded droplet create printed %q", dropletCreate.out)
	}
	recordedID := regexp.MustCompile(`\(request "([^"]+)"\)`).FindStringSubmatch(recordedError)
	if recordedID == nil {
		t.Fatalf("no request id in %q", recordedError)
	}
	// As godo would print it against api.digitalocean.com with DigitalOcean's request id.
	gotError := strings.Replace(er.Error(), e.ts.URL, "https://api.digitalocean.com", 1)
	gotError = strings.Replace(gotError, er.RequestID, recordedID[1], 1)
	if gotError != recordedError {
		t.Errorf("droplet create error\n got  %s\n want %s", gotError, recordedError)
	}

	var calls []string
	for _, r := range e.sim.Requests() {
		calls = append(calls, r.Method+" "+r.Path)
	}
	wantCalls := []string{"GET /v2/sizes", "POST /v2/images", "GET /v2/projects/" + f["--project-id"], "POST /v2/droplets"}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Errorf("requests (-doctl's +sent):\n%s", diff)
	}
	if n := len(e.sim.Droplets()); n != 0 {
		t.Errorf("%d droplets after the refused create", n)
	}
}
