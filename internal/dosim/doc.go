// Package dosim simulates the part of DigitalOcean's API v2 this project
// uses (sizes, regions, SSH keys, projects, tags, droplets, droplet actions —
// power_off, shutdown, power_on, resize — and images), in process, so that
// the real godo client and doctl can run against it unchanged: point godo's
// base URL (or doctl's --api-url) at an httptest.NewServer(dosim.New(...))
// or at [Server.ListenAndServe].
//
// Answers follow DigitalOcean's OpenAPI description (repository
// digitalocean/openapi, specification/DigitalOcean-public.v2.yaml): the same
// paths, snake_case fields, required fields, status codes, error bodies
// ({"id","message","request_id"}), RateLimit-* and X-Request-Id headers and
// links/meta pagination. Where the description is silent, or DigitalOcean was
// recorded answering otherwise, the simulator copies what DigitalOcean is seen
// doing (the seed's recorded doctl session in testdata/seed-session.txt, error
// messages quoted in public bug reports); where even that is unknown it errs
// on the strict side, so code that works here does not rely on leniency the
// real API may not have. SOURCES.md says which behaviour comes from where.
//
// Time is simulated from timestamps compared when a resource is read: a
// droplet is "new" until BootTime has passed since its creation, then
// "active"; each droplet action runs for ActionTime, and its effect (status
// "off" or "active", a new size) shows from the moment it completes. Only
// the SSH endpoints, which must really listen, and Fault.Delay use timers.
// All of it runs on Options.Clock: the wall clock by default (`mage sim`,
// and tests elsewhere that want real time with short delays), or a
// ManualClock that a test advances itself, so what a droplet shows at each
// moment is exact rather than raced against the machine's speed.
//
// Each droplet gets a public IPv4 address in 127.64.0.0/10. Linux routes all
// of 127.0.0.0/8 to the loopback interface, so when Options.SSHPort is set a
// droplet's SSH endpoint is reachable at exactly the address the API reports.
package dosim
