// Package images is the custom-image route to NixOS on DigitalOcean: build a
// NixOS disk image with Nix, publish it where DigitalOcean can fetch it,
// import it, and keep track of what the imports cost.
//
// DigitalOcean imports custom images by URL only: the file has to be on a
// public web server that answers HEAD with its length before the import
// starts. A droplet made from the result works, but DigitalOcean refuses it
// IPv6 ("422 image is not compatible with ipv6") and gives it its IPv4
// address by DHCP, which is why this route is kept for the record and the
// stock-image routes are the ones to use.
package images
