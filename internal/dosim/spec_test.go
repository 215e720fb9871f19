package dosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The schemas below are hand-copied from DigitalOcean's OpenAPI description,
// repository digitalocean/openapi, root specification/DigitalOcean-public.v2.yaml;
// each names the file under specification/ it comes from. They keep the
// required lists, types, nullability and enums; checkAnswer applies them to
// every answer a test produced (newEnv registers it).

type schema struct {
	typ      string // object, array, string, integer, number, boolean
	nullable bool
	required []string
	props    map[string]*schema
	items    *schema
	enum     []string
}

func obj(required []string, props map[string]*schema) *schema {
	return &schema{typ: "object", required: required, props: props}
}

func arr(items *schema) *schema { return &schema{typ: "array", items: items} }

func enum(values ...string) *schema { return &schema{typ: "string", enum: values} }

func null(s *schema) *schema {
	c := *s
	c.nullable = true
	return &c
}

var (
	str     = &schema{typ: "string"}
	integer = &schema{typ: "integer"}
	number  = &schema{typ: "number"}
	boolean = &schema{typ: "boolean"}
)

// shared/attributes/region_slug.yml
var regionSlug = enum("ams1", "ams2", "ams3", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "sfo1", "sfo2", "sfo3", "sgp1", "tor1", "syd1")

// resources/sizes/models/disk_info.yml
var diskInfoSchema = obj(nil, map[string]*schema{
	"type": enum("local", "boot", "scratch"),
	"size": obj(nil, map[string]*schema{"amount": integer, "unit": str}),
})

// resources/sizes/models/size.yml
var sizeSchema = obj(
	[]string{"available", "disk", "memory", "price_hourly", "price_monthly", "regions", "slug", "transfer", "vcpus", "description"},
	map[string]*schema{
		"slug": str, "memory": integer, "vcpus": integer, "disk": integer, "transfer": number,
		"price_monthly": number, "price_hourly": number, "regions": arr(str), "available": boolean,
		"description": str, "disk_info": arr(diskInfoSchema),
	})

// resources/regions/models/region.yml
var regionSchema = obj(
	[]string{"available", "features", "name", "sizes", "slug"},
	map[string]*schema{"name": str, "slug": str, "features": arr(str), "available": boolean, "sizes": arr(str)})

// resources/images/models/image.yml (no required fields) with
// shared/attributes/distribution.yml, regions_array.yml and tags_array.yml.
// The one departure: distribution also allows "Unknown OS", which
// DigitalOcean answers although its list lacks it (see customDistribution).
var imageSchema = obj(nil, map[string]*schema{
	"id": integer, "name": str,
	"type": enum("base", "snapshot", "backup", "custom", "admin"),
	"distribution": enum("Arch Linux", "CentOS", "CoreOS", "Debian", "Fedora", "Fedora Atomic", "FreeBSD",
		"Gentoo", "openSUSE", "RancherOS", "Rocky Linux", "Ubuntu", "Unknown", unknownOS),
	"slug": null(str), "public": boolean, "regions": arr(regionSlug), "created_at": str,
	"min_disk_size": null(integer), "size_gigabytes": null(number), "description": str,
	"tags":   null(arr(str)),
	"status": enum("NEW", "available", "pending", "deleted", "retired"), "error_message": str,
})

// resources/droplets/models/network_v4.yml and network_v6.yml
var (
	networkV4Schema = obj(nil, map[string]*schema{"ip_address": str, "netmask": str, "gateway": str, "type": enum("public", "private")})
	networkV6Schema = obj(nil, map[string]*schema{"ip_address": str, "netmask": integer, "gateway": str, "type": enum("public")})
)

// resources/droplets/models/droplet.yml with kernel.yml and droplet_next_backup_window.yml
var dropletSchema = obj(
	[]string{"id", "name", "memory", "vcpus", "disk", "locked", "status", "created_at", "features", "backup_ids",
		"next_backup_window", "snapshot_ids", "image", "volume_ids", "size", "size_slug", "networks", "region", "tags"},
	map[string]*schema{
		"id": integer, "name": str, "memory": integer, "vcpus": integer, "disk": integer,
		"disk_info": arr(diskInfoSchema), "locked": boolean, "status": enum("new", "active", "off", "archive"),
		"kernel":     null(obj(nil, map[string]*schema{"id": integer, "name": str, "version": str})),
		"created_at": str, "features": arr(str), "backup_ids": arr(integer),
		"next_backup_window": null(obj(nil, map[string]*schema{"start": str, "end": str})),
		"snapshot_ids":       arr(integer), "image": imageSchema, "volume_ids": arr(str), "size": sizeSchema,
		"size_slug": str,
		"networks":  obj(nil, map[string]*schema{"v4": arr(networkV4Schema), "v6": arr(networkV6Schema)}),
		"region":    regionSchema, "tags": arr(str), "vpc_uuid": str,
	})

// resources/ssh_keys/models/sshKeys.yml
var keySchema = obj([]string{"public_key", "name"}, map[string]*schema{"id": integer, "fingerprint": str, "public_key": str, "name": str})

// resources/actions/models/action.yml
var actionSchema = obj(nil, map[string]*schema{
	"id": integer, "status": enum("in-progress", "completed", "errored"), "type": str,
	"started_at": str, "completed_at": null(str), "resource_id": null(integer), "resource_type": str,
	"region": regionSchema, "region_slug": null(str),
})

// resources/projects/models/project.yml
var projectSchema = obj(nil, map[string]*schema{
	"id": str, "owner_uuid": str, "owner_id": integer, "name": str, "description": str, "purpose": str,
	"environment": enum("Development", "Staging", "Production"), "created_at": str, "updated_at": str,
	"is_default": boolean,
})

// resources/projects/models/resource.yml
var resourceSchema = obj(nil, map[string]*schema{
	"urn": str, "assigned_at": str, "links": obj(nil, map[string]*schema{"self": str}),
	"status": enum("ok", "not_found", "assigned", "already_assigned", "service_down"),
})

// resources/account/models/account.yml
var accountSchema = obj(
	[]string{"droplet_limit", "floating_ip_limit", "email", "uuid", "email_verified", "status", "status_message"},
	map[string]*schema{
		"droplet_limit": integer, "floating_ip_limit": integer, "email": str, "name": str, "uuid": str,
		"email_verified": boolean, "status": enum("active", "warning", "locked"), "status_message": str,
	})

// shared/models/error.yml
var errorSchema = obj([]string{"id", "message"}, map[string]*schema{"id": str, "message": str, "request_id": str})

// shared/models/action_link.yml
var actionLinksSchema = obj(nil, map[string]*schema{
	"actions": arr(obj(nil, map[string]*schema{"id": integer, "rel": str, "href": str})),
})

// list is a collection answer: shared/pages.yml#/pagination and
// shared/meta.yml (meta and meta.total required); keyRequired follows the
// list's own responses/*.yml.
func list(key string, keyRequired bool, item *schema) *schema {
	required := []string{"meta"}
	if keyRequired {
		required = append(required, key)
	}
	return obj(required, map[string]*schema{
		key: arr(item),
		"links": obj(nil, map[string]*schema{"pages": obj(nil, map[string]*schema{
			"first": str, "prev": str, "next": str, "last": str,
		})}),
		"meta": obj([]string{"total"}, map[string]*schema{"total": integer}),
	})
}

func single(key string, keyRequired bool, item *schema) *schema {
	var required []string
	if keyRequired {
		required = []string{key}
	}
	return obj(required, map[string]*schema{key: item})
}

// oneOf is an answer that must match exactly one of its schemas.
type oneOf []*schema

// resources/tags/models/tags.yml, with tags_metadata.yml
var tagSchema = obj(nil, map[string]*schema{
	"name": str,
	"resources": obj(nil, map[string]*schema{
		"count": integer, "last_tagged_uri": str,
		"droplets":  obj(nil, map[string]*schema{"count": integer, "last_tagged_uri": str}),
		"images":    obj(nil, map[string]*schema{"count": integer, "last_tagged_uri": str}),
		"volumes":   obj(nil, map[string]*schema{"count": integer, "last_tagged_uri": str}),
		"databases": obj(nil, map[string]*schema{"count": integer, "last_tagged_uri": str}),
	}),
})

// answers maps each endpoint to the schema of its success answer.
var answers = func() *http.ServeMux {
	m := http.NewServeMux()
	add := func(pattern string, s any) { m.Handle(pattern, answerSchema{s}) }
	add("GET /v2/account", single("account", false, accountSchema))                                         // account/responses/account.yml
	add("GET /v2/sizes", list("sizes", true, sizeSchema))                                                   // sizes/responses/all_sizes.yml
	add("GET /v2/regions", list("regions", true, regionSchema))                                             // regions/responses/all_regions.yml
	add("GET /v2/account/keys", list("ssh_keys", false, keySchema))                                         // ssh_keys/responses/sshKeys_all.yml
	add("GET /v2/account/keys/{key}", single("ssh_key", false, keySchema))                                  // ssh_keys/responses/sshKeys_existing.yml
	add("POST /v2/account/keys", single("ssh_key", false, keySchema))                                       // ssh_keys/responses/sshKeys_new.yml
	add("GET /v2/projects", list("projects", false, projectSchema))                                         // projects/responses/projects_list.yml
	add("GET /v2/projects/{id}", single("project", false, projectSchema))                                   // projects/responses/existing_project.yml
	add("GET /v2/projects/{id}/resources", list("resources", false, resourceSchema))                        // projects/responses/resources_list.yml
	add("POST /v2/projects/{id}/resources", obj(nil, map[string]*schema{"resources": arr(resourceSchema)})) // projects/responses/assigned_resources_list.yml
	add("POST /v2/tags", single("tag", false, tagSchema))                                                   // tags/responses/tags_new.yml
	add("POST /v2/droplets", oneOf{                                                                         // droplets/responses/droplet_create.yml: single or multiple create
		obj([]string{"droplet", "links"}, map[string]*schema{"droplet": dropletSchema, "links": actionLinksSchema}),
		obj([]string{"droplets", "links"}, map[string]*schema{"droplets": arr(dropletSchema), "links": actionLinksSchema}),
	})
	add("GET /v2/droplets", list("droplets", false, dropletSchema))                      // droplets/responses/all_droplets.yml
	add("GET /v2/droplets/{id}", single("droplet", false, dropletSchema))                // droplets/responses/existing_droplet.yml
	add("GET /v2/droplets/{id}/actions", list("actions", false, actionSchema))           // droplets/responses/all_droplet_actions.yml
	add("GET /v2/droplets/{id}/actions/{action}", single("action", false, actionSchema)) // droplets/responses/droplet_action.yml
	add("POST /v2/droplets/{id}/actions", single("action", false, actionSchema))         // droplets/responses/droplet_action.yml
	add("GET /v2/actions", list("actions", false, actionSchema))                         // actions/responses/actions.yml
	add("GET /v2/actions/{id}", single("action", false, actionSchema))                   // actions/responses/action.yml
	add("GET /v2/images", list("images", true, imageSchema))                             // images/responses/all_images.yml
	add("POST /v2/images", single("image", false, imageSchema))                          // images/responses/new_custom_image.yml
	add("GET /v2/images/{id}", single("image", true, imageSchema))                       // images/responses/existing_image.yml
	add("PUT /v2/images/{id}", single("image", true, imageSchema))                       // images/responses/updated_image.yml
	return m
}()

type answerSchema struct{ s any }

func (answerSchema) ServeHTTP(http.ResponseWriter, *http.Request) {}

// checkAnswer checks one answer against the spec: an error body for 4xx and
// 5xx, an empty body for 204, else the endpoint's schema. Dropped requests
// (status 0) had no answer to check.
func checkAnswer(x exchange) error {
	switch {
	case x.status == 0:
		return nil
	case x.status == http.StatusNoContent:
		if len(x.body) > 0 {
			return fmt.Errorf("204 with a body")
		}
		return nil
	case x.status >= 400:
		return checkJSON(errorSchema, x.body)
	}
	h, pattern := answers.Handler(&http.Request{Method: x.method, URL: &url.URL{Path: x.path}})
	if pattern == "" {
		return fmt.Errorf("no schema for this endpoint in spec_test.go")
	}
	switch s := h.(answerSchema).s.(type) {
	case *schema:
		return checkJSON(s, x.body)
	case oneOf:
		var errs []string
		for _, alt := range s {
			if err := checkJSON(alt, x.body); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) != len(s)-1 {
			return fmt.Errorf("matches %d of %d alternatives, want 1: %s", len(s)-len(errs), len(s), strings.Join(errs, "; "))
		}
		return nil
	}
	panic("unreachable")
}

func checkJSON(s *schema, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.check("$", v)
}

func (s *schema) check(path string, v any) error {
	if v == nil {
		if s.nullable {
			return nil
		}
		return fmt.Errorf("%s is null", path)
	}
	switch s.typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %T, want object", path, v)
		}
		for _, k := range s.required {
			if _, ok := m[k]; !ok {
				return fmt.Errorf("%s lacks required %q", path, k)
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.props[k]; ok {
				if err := p.check(path+"."+k, m[k]); err != nil {
					return err
				}
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s is %T, want array", path, v)
		}
		for i, item := range a {
			if err := s.items.check(fmt.Sprintf("%s[%d]", path, i), item); err != nil {
				return err
			}
		}
	case "string":
		text, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s is %T, want string", path, v)
		}
		if s.enum != nil && !slices.Contains(s.enum, text) {
			return fmt.Errorf("%s is %q, not one of %q", path, text, s.enum)
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fmt.Errorf("%s is %v, want integer", path, v)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return fmt.Errorf("%s is %T, want number", path, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s is %T, want boolean", path, v)
		}
	}
	return nil
}

// TestSpecCheckerCatchesViolations shows the checker newEnv runs is not
// vacuous: it rejects answers that break the spec in each way it checks.
func TestSpecCheckerCatchesViolations(t *testing.T) {
	e := newEnv(t, Options{})
	d, _ := e.createDroplet(t, nil)
	good := e.rec.all()
	var created exchange
	for _, x := range good {
		if x.method == http.MethodPost {
			created = x
		}
	}
	if err := checkAnswer(created); err != nil {
		t.Fatalf("real create answer rejected: %v", err)
	}
	mutate := func(f func(droplet map[string]any)) exchange {
		var body map[string]any
		if err := json.Unmarshal(created.body, &body); err != nil {
			t.Fatal(err)
		}
		f(body["droplet"].(map[string]any))
		b, _ := json.Marshal(body)
		return exchange{created.method, created.path, created.status, b}
	}
	for name, bad := range map[string]exchange{
		"missing tags":          mutate(func(d map[string]any) { delete(d, "tags") }),
		"id as string":          mutate(func(d map[string]any) { d["id"] = "1" }),
		"status outside enum":   mutate(func(d map[string]any) { d["status"] = "booting" }),
		"null networks":         mutate(func(d map[string]any) { d["networks"] = nil }),
		"size lacks price":      mutate(func(d map[string]any) { delete(d["size"].(map[string]any), "price_hourly") }),
		"region features null":  mutate(func(d map[string]any) { d["region"].(map[string]any)["features"] = nil }),
		"image distribution":    mutate(func(d map[string]any) { d["image"].(map[string]any)["distribution"] = "NixOS" }),
		"error without message": {http.MethodGet, "/v2/droplets/1", 404, []byte(`{"id":"not_found"}`)},
		"list without meta":     {http.MethodGet, "/v2/sizes", 200, []byte(`{"sizes":[]}`)},
		"204 with body":         {http.MethodDelete, "/v2/droplets/1", 204, []byte(`{}`)},
	} {
		if checkAnswer(bad) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if d.ID == 0 {
		t.Error("created droplet has no id")
	}
}
