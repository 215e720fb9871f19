module github.com/Gleipnir-Technology/nixos-systems

go 1.25.0

require (
	github.com/digitalocean/godo v1.237.0
	github.com/google/go-cmp v0.7.0
	golang.org/x/crypto v0.54.0
	golang.org/x/oauth2 v0.36.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.7 // indirect
	github.com/magefile/mage v1.17.2 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/time v0.6.0 // indirect
)

tool github.com/magefile/mage
